// op_profile: the recorder behind framework/ops/op_profile.h (a mutex-guarded table by op
// name, and the CUDA calls' timing-mark pairs still to be read; only touched while
// profiling is on).
#include "framework/ops/op_profile.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "framework/cuda/runtime.h"
#include "framework/cuda/timing_marks.h"

namespace tint::op_profile {

namespace detail {
std::atomic<bool> enabled_flag{false};
}

namespace {

// A CUDA call whose GPU time is not read yet: its timing marks before and after.
struct PendingCall {
  const char* op;
  int64_t start_mark, end_mark;
};

std::mutex table_mutex;
std::map<std::string, OpTime>& table() {
  static std::map<std::string, OpTime> t;
  return t;
}
std::vector<PendingCall>& pending() {
  static std::vector<PendingCall> p;
  return p;
}
// Bumped whenever the marks are released (release_marks), so a call still open then is
// dropped rather than read with a mark that has since been handed out again.
int64_t mark_generation = 0;
thread_local int depth = 0;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Under table_mutex.
void add(const char* op, double seconds) {
  OpTime& t = table()[op];
  t.op = op;
  ++t.calls;
  t.seconds += seconds;
}

// Under table_mutex: the pending calls forgotten and every mark released (a call still open
// is then dropped, by its generation).
void release_marks() {
  pending().clear();
  cuda::release_timing_marks();
  ++mark_generation;
}

// Under table_mutex: the pending CUDA calls' GPU times into the table, their marks released.
void read_pending() {
  for (const PendingCall& call : pending())
    add(call.op, cuda::seconds_between_marks(call.start_mark, call.end_mark));
  release_marks();
}

}  // namespace

void enable(bool on) { detail::enabled_flag.store(on, std::memory_order_relaxed); }

void reset() {
  std::lock_guard<std::mutex> lock(table_mutex);
  table().clear();
  release_marks();
}

std::vector<OpTime> snapshot() {
  std::vector<OpTime> rows;
  {
    std::lock_guard<std::mutex> lock(table_mutex);
    read_pending();
    for (const auto& [name, t] : table()) rows.push_back(t);
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const OpTime& a, const OpTime& b) { return a.seconds > b.seconds; });
  return rows;
}

Scope::Scope(const char* op, const Device& device)
    : op_(op), device_(device), outermost_(depth++ == 0) {
  if (!outermost_) return;
  if (!device_.is_cuda()) {
    start_ = now_seconds();
    return;
  }
  std::lock_guard<std::mutex> lock(table_mutex);
  try {
    if (cuda::stream_capturing(device_.index)) return;  // runs in the replays, not now
    start_mark_ = cuda::record_timing_mark(device_.index);
    generation_ = mark_generation;
  } catch (...) {  // untimed; the call itself reports a broken device
  }
}

Scope::~Scope() {
  --depth;
  if (!outermost_) return;
  if (!device_.is_cuda()) {
    const double took = now_seconds() - start_;
    std::lock_guard<std::mutex> lock(table_mutex);
    add(op_, took);
    return;
  }
  std::lock_guard<std::mutex> lock(table_mutex);
  if (start_mark_ < 0 || generation_ != mark_generation) return;
  try {
    pending().push_back({op_, start_mark_, cuda::record_timing_mark(device_.index)});
  } catch (...) {  // a failing call's own error is the one to report
  }
}

}  // namespace tint::op_profile
