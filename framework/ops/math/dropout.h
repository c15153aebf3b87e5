// Per-element math of inverted dropout, shared by the CPU loop and the CUDA kernel. Element i
// of a call is dropped when uniform(seed, first + i) < p, a pure function of the generator's
// seed and counter, so the mask is identical on every device and the backward can recompute
// it instead of storing it.
#pragma once

#include <cstdint>

#include "framework/core/hd.h"
#include "framework/core/random_math.h"

namespace tint::math {

TINT_HD bool dropout_keep(uint64_t seed, uint64_t counter, double p) {
  return !(rnd::uniform(seed, counter) < p);
}

// The logical (NCHW row-major) index of storage element s of a channels_last tensor with
// the given channels, height and width: s = ((n * H + h) * W + w) * C + c gives
// ((n * C + c) * H + h) * W + w, so a mask drawn by logical index is the same in either layout.
// I: the integer type to compute in (the CUDA kernel takes uint32_t when every index fits,
// three 32-bit divisions instead of 64-bit ones).
template <typename I>
TINT_HD I nhwc_logical_index(I s, I channels, I height, I width) {
  const I c = s % channels, pixel = s / channels;
  const I plane = height * width, image = pixel / plane;
  return (image * channels + c) * plane + pixel % plane;
}

// Survivors are scaled by 1/(1-p) so the expectation is unchanged; p = 1 drops everything
// (scale 0 rather than inf, so 0 * inf never makes a NaN).
TINT_HD double dropout_scale(double p) { return p < 1.0 ? 1.0 / (1.0 - p) : 0.0; }

// Forward and backward are the same map: keep-and-scale or zero.
template <typename T>
TINT_HD T dropout_apply(T v, bool keep, T scale) {
  return keep ? v * scale : T(0);
}

}  // namespace tint::math
