// Host loops of 2-D batch normalisation on a contiguous (N, C, HW) tensor. Channels are
// independent, so each loop splits them across OpenMP threads. Per-channel tensors (mean,
// var, invstd, weight, bias and their gradients) are contiguous (C) of the input's dtype;
// weight, bias and any gradient may be undefined.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cpu {

// Batch mean and biased variance per channel (two passes, double accumulation).
void batch_norm_stats(const Tensor& mean, const Tensor& var, const Tensor& x, int64_t n,
                      int64_t channels, int64_t hw);
// invstd = 1 / sqrt(var + eps).
void batch_norm_invstd(const Tensor& invstd, const Tensor& var, double eps);
// running <- (1 - momentum) running + momentum batch, with the unbiased variance (count > 1).
void batch_norm_update_running(const Tensor& running_mean, const Tensor& running_var,
                               const Tensor& mean, const Tensor& var, double momentum,
                               int64_t count);
void batch_norm_forward(const Tensor& out, const Tensor& x, const Tensor& mean,
                        const Tensor& invstd, const Tensor& weight, const Tensor& bias, int64_t n,
                        int64_t channels, int64_t hw);
// training: the statistics were the batch's own, so dx flows through them too.
void batch_norm_backward(const Tensor& grad_in, const Tensor& grad_weight,
                         const Tensor& grad_bias, const Tensor& grad_out, const Tensor& x,
                         const Tensor& mean, const Tensor& invstd, const Tensor& weight,
                         bool training, int64_t n, int64_t channels, int64_t hw);

}  // namespace tint::cpu
