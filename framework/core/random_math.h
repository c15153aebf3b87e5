// Counter-based random numbers: value i of a stream is a pure function of (seed, i), so the
// CPU loop and a CUDA kernel draw identical numbers (dropout masks, rand, randn) without
// sharing state. splitmix64 mixing; Box-Muller for normals.
#pragma once

#include <cmath>
#include <cstdint>

#include "framework/core/hd.h"

namespace tint::rnd {

TINT_HD uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

TINT_HD uint64_t bits(uint64_t seed, uint64_t counter) {
  return mix64(mix64(seed) ^ (counter * 0xD1B54A32D192ED03ull));
}

// Uniform in [0, 1) with 53 random bits.
TINT_HD double uniform(uint64_t seed, uint64_t counter) {
  return static_cast<double>(bits(seed, counter) >> 11) * (1.0 / 9007199254740992.0);
}

// Standard normal; uses counters 2*counter and 2*counter+1.
TINT_HD double normal(uint64_t seed, uint64_t counter) {
  const double u1 = 1.0 - uniform(seed, 2 * counter);  // (0, 1]
  const double u2 = uniform(seed, 2 * counter + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace tint::rnd
