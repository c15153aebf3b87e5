// Host loops of the rebalanced cross-entropy (kernels/color_loss.h) and of the grey-image
// mask. All tensors are contiguous and preallocated by the caller, which checked shapes and
// dtypes; the per-row math is kernels/math/color_loss.h, shared with the CUDA kernels.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "framework/tensor/tensor.h"
#include "kernels/math/color_loss.h"

namespace tint::color::cpu {

// What the forward reports back besides the per-pixel losses.
struct RebalancedSums {
  double total = 0;         // sum of the per-pixel losses (masked pixels count 0)
  int64_t bad_rows = 0;     // logits positions whose log-sum-exp is NaN or infinite
  int64_t bad_targets = 0;  // ab pixels with a NaN or infinite a or b
};

// The sums as the CUDA forward leaves them on the device: three 8-byte words, the double
// total's bits, bad_rows and bad_targets (kernels/cuda/color_loss.h).
inline RebalancedSums sums_from_counters(const std::vector<int64_t>& words) {
  RebalancedSums sums;
  std::memcpy(&sums.total, &words[0], sizeof(double));
  sums.bad_rows = words[1];
  sums.bad_targets = words[2];
  return sums;
}

// mask (N) uint8: 1 where some |a| or |b| of the image exceeds threshold, else 0.
void nongrey_mask(const Tensor& mask, const Tensor& ab, double threshold);

// losses (N, loss_h, loss_w) of the logits' dtype, or undefined when only the sum is wanted;
// lse (N, h, w) float64 receives each row's log-sum-exp for the backward. class_weights
// (classes) and mask (N) uint8 may be undefined.
RebalancedSums rebalanced_ce_forward(const Tensor& losses, const Tensor& lse,
                                     const Tensor& logits, const Tensor& ab,
                                     const Tensor& class_weights, const Tensor& mask,
                                     const math::BinTable& table,
                                     const math::ColorLossGeometry& geometry, int64_t k,
                                     double sigma);
// grad_logits (N, classes, h, w); grad_out is per pixel (N, loss_h, loss_w) when
// per_position, else one element; scale is 1 / the reduction's denominator.
void rebalanced_ce_backward(const Tensor& grad_logits, const Tensor& logits, const Tensor& lse,
                            const Tensor& ab, const Tensor& class_weights, const Tensor& mask,
                            const Tensor& grad_out, bool per_position, double scale,
                            const math::BinTable& table,
                            const math::ColorLossGeometry& geometry, int64_t k, double sigma);

}  // namespace tint::color::cpu
