// Per-pixel math of the ab-bin histogram (kernels/prior.h), shared by the CPU loop and the
// CUDA kernel: the bin a pixel counts in, or -1 for a pixel that is not counted.
#pragma once

#include <cstdint>

#include "framework/core/hd.h"
#include "kernels/math/ab_bins.h"

namespace tint::color::math {

// The nearest bin of (a, b) through the k = 1 table, or -1 when a or b is NaN or infinite
// (x - x is 0 exactly for finite x only; works the same in host and device code).
template <typename T>
TINT_HD int32_t histogram_bin(const BinTable& table, T a, T b) {
  if (!(a - a == T(0) && b - b == T(0))) return -1;
  return ab_nearest<T>(table, a, b);
}

}  // namespace tint::color::math
