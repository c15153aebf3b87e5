// A seeded random generator: a seed plus a counter of values already drawn. Each draw of n
// values takes counters [offset, offset + n) and advances the offset, so runs with the same
// seed are reproducible on any device. A process-wide tally of the counters all generators
// have taken lets a CUDA graph see how many one step draws (framework/optim/graphed_step.h).
#pragma once

#include <atomic>
#include <cstdint>

namespace tint {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void manual_seed(uint64_t seed) { seed_ = seed; offset_ = 0; }
  void set_offset(uint64_t offset) { offset_ = offset; }
  // Reserves n counters and returns the first.
  uint64_t take(uint64_t n) {
    const uint64_t first = offset_;
    offset_ += n;
    taken_by_all().fetch_add(n, std::memory_order_relaxed);
    return first;
  }
  // The counters every generator of the process has taken so far.
  static uint64_t total_taken() { return taken_by_all().load(std::memory_order_relaxed); }

 private:
  static std::atomic<uint64_t>& taken_by_all() {
    static std::atomic<uint64_t> taken{0};
    return taken;
  }

  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The process-wide generator used when none is passed.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace tint
