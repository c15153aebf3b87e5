// op_profile: an optional per-op time profile of the backend calls made through
// TINT_DEVICE_CALL (framework/ops/dispatch.h), to see where a training step spends its time
// (bench_train --profile-steps). Off by default: then each call pays one relaxed atomic
// load. When on, each outermost call (calls made inside a profiled call are part of it) is
// bracketed by a synchronize of its CUDA device, so its time is that of its kernels plus its
// host work, and per op name the calls and total seconds are kept. The synchronizes make a
// profiled step slower than a plain one: compare ops with each other, not with plain steps.
//
//   tint::op_profile::enable(true);
//   ... steps ...
//   for (const auto& t : tint::op_profile::snapshot()) print(t.op, t.calls, t.seconds);
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/device.h"

namespace tint::op_profile {

struct OpTime {
  std::string op;  // the backend function's name, e.g. "conv2d_forward"
  int64_t calls = 0;
  double seconds = 0;
};

namespace detail {
extern std::atomic<bool> enabled_flag;
}

inline bool enabled() noexcept { return detail::enabled_flag.load(std::memory_order_relaxed); }
void enable(bool on);
void reset();                     // forgets every recorded call
std::vector<OpTime> snapshot();   // every op recorded so far, the largest total first

// Times one call (a no-op inside another profiled call on this thread).
class Scope {
 public:
  Scope(const char* op, const Device& device);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* op_;
  Device device_;
  bool outermost_;
  double start_;
};

// A Scope only while the profile is on: for backend calls made without TINT_DEVICE_CALL
// (batch norm's and the optimizers' CUDA paths), held for the rest of the enclosing block.
class MaybeScope {
 public:
  MaybeScope(const char* op, const Device& device) {
    if (enabled()) scope_.emplace(op, device);
  }

 private:
  std::optional<Scope> scope_;
};

template <class F>
decltype(auto) timed(const char* op, const Device& device, F&& f) {
  Scope scope(op, device);
  return f();
}

}  // namespace tint::op_profile
