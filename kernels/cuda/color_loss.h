// CUDA twins of kernels/cpu/color_loss.h (same signatures; the table's arrays must be on the
// tensors' device). The forward returns its sums on the host, as the host loop does, which
// waits for the device once per loss; rebalanced_ce_forward_counters leaves them on the
// device.
#pragma once

#include "kernels/cpu/color_loss.h"

namespace tint::color::cuda {

using cpu::RebalancedSums;

void nongrey_mask(const Tensor& mask, const Tensor& ab, double threshold);
// The forward without waiting: the sums stay on the device, in an int64 tensor of three
// words (the double total's bits, bad_rows, bad_targets), for DeferredChecks
// (framework/ops/deferred_checks.h) and CUDA graphs.
Tensor rebalanced_ce_forward_counters(const Tensor& losses, const Tensor& lse,
                                      const Tensor& logits, const Tensor& ab,
                                      const Tensor& class_weights, const Tensor& mask,
                                      const math::BinTable& table,
                                      const math::ColorLossGeometry& geometry, int64_t k,
                                      double sigma);
RebalancedSums rebalanced_ce_forward(const Tensor& losses, const Tensor& lse,
                                     const Tensor& logits, const Tensor& ab,
                                     const Tensor& class_weights, const Tensor& mask,
                                     const math::BinTable& table,
                                     const math::ColorLossGeometry& geometry, int64_t k,
                                     double sigma);
void rebalanced_ce_backward(const Tensor& grad_logits, const Tensor& logits, const Tensor& lse,
                            const Tensor& ab, const Tensor& class_weights, const Tensor& mask,
                            const Tensor& grad_out, bool per_position, double scale,
                            const math::BinTable& table,
                            const math::ColorLossGeometry& geometry, int64_t k, double sigma);

}  // namespace tint::color::cuda
