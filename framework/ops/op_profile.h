// op_profile: an optional per-op time profile of the backend calls made through
// TINT_DEVICE_CALL (framework/ops/dispatch.h), to see where a training step spends its time
// (bench_train --profile-steps). Off by default: then each call pays one relaxed atomic
// load. When on, each outermost call (calls made inside a profiled call are part of it) is
// timed and counted under its op name:
// - on a CUDA device by two CUDA events on the device's stream around the call
//   (framework/cuda/timing_marks.h), nothing waited for: its time is the GPU's from where
//   the call began queueing work to the end of its last kernel, read back by snapshot(). The
//   steps run as fast as unprofiled ones. When the GPU waits for the host, that wait inside a
//   call counts as the call's; calls made while the stream is captured into a CUDA graph are
//   not recorded (they run later, in the replays);
// - on the CPU by the call's wall time.
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
// Every op recorded so far, the largest total first (waits for the GPU work of calls timed
// on CUDA devices).
std::vector<OpTime> snapshot();

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
  double start_ = 0;           // wall seconds (cpu)
  int64_t start_mark_ = -1;    // cuda: the timing mark before the call; -1: not timed
  int64_t generation_ = 0;     // cuda: the marks' generation start_mark_ belongs to
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
