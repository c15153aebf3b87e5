// op_profile: the recorder behind framework/ops/op_profile.h (a mutex-guarded table by op
// name; only touched while profiling is on).
#include "framework/ops/op_profile.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "framework/cuda/runtime.h"

namespace tint::op_profile {

namespace detail {
std::atomic<bool> enabled_flag{false};
}

namespace {

std::mutex table_mutex;
std::map<std::string, OpTime>& table() {
  static std::map<std::string, OpTime> t;
  return t;
}
thread_local int depth = 0;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void sync(const Device& device) {
  if (device.is_cuda()) cuda::synchronize(device.index);
}

}  // namespace

void enable(bool on) { detail::enabled_flag.store(on, std::memory_order_relaxed); }

void reset() {
  std::lock_guard<std::mutex> lock(table_mutex);
  table().clear();
}

std::vector<OpTime> snapshot() {
  std::vector<OpTime> rows;
  {
    std::lock_guard<std::mutex> lock(table_mutex);
    for (const auto& [name, t] : table()) rows.push_back(t);
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const OpTime& a, const OpTime& b) { return a.seconds > b.seconds; });
  return rows;
}

Scope::Scope(const char* op, const Device& device)
    : op_(op), device_(device), outermost_(depth++ == 0), start_(0) {
  if (!outermost_) return;
  sync(device_);  // earlier queued work is not this call's
  start_ = now_seconds();
}

Scope::~Scope() {
  --depth;
  if (!outermost_) return;
  try {
    sync(device_);
  } catch (...) {  // a failing call's own error is the one to report
  }
  const double took = now_seconds() - start_;
  std::lock_guard<std::mutex> lock(table_mutex);
  OpTime& t = table()[op_];
  t.op = op_;
  ++t.calls;
  t.seconds += took;
}

}  // namespace tint::op_profile
