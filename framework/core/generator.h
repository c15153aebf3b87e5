// A seeded random generator: a seed plus a counter of values already drawn. Each draw of n
// values takes counters [offset, offset + n) and advances the offset, so runs with the same
// seed are reproducible on any device.
#pragma once

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
  uint64_t take(uint64_t n) { const uint64_t first = offset_; offset_ += n; return first; }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The process-wide generator used when none is passed.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace tint
