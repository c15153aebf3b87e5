// Per-element math of 2-D batch normalisation, shared by the CPU loops and the CUDA kernels.
// Per channel the launcher reduces the statistics (mean, invstd = 1/sqrt(var + eps)) and, in
// the backward, the sums of g and g * xhat; these functions are what each element does with
// them, plus the running-statistics update.
#pragma once

#include <cmath>

#include "framework/core/hd.h"

namespace tint::math {

template <typename Acc>
TINT_HD Acc bn_invstd(Acc var, Acc eps) {
  return Acc(1) / std::sqrt(var + eps);
}

template <typename Acc>
TINT_HD Acc bn_normalize(Acc x, Acc mean, Acc invstd) {
  return (x - mean) * invstd;
}

// y = xhat * w + b, with w = 1 and b = 0 when affine is off.
template <typename Acc>
TINT_HD Acc bn_forward(Acc x, Acc mean, Acc invstd, Acc w, Acc b) {
  return bn_normalize(x, mean, invstd) * w + b;
}

// Training: mean and invstd depend on the whole channel, which gives the closed form
//   dx = w * invstd * (g - mean(g) - xhat * mean(g * xhat))
// with the means taken over the channel's N*H*W elements.
template <typename Acc>
TINT_HD Acc bn_backward_train(Acc g, Acc xhat, Acc w_invstd, Acc mean_g, Acc mean_g_xhat) {
  return w_invstd * (g - mean_g - xhat * mean_g_xhat);
}

// Eval: the statistics are constants, so batch norm is an affine map per channel.
template <typename Acc>
TINT_HD Acc bn_backward_eval(Acc g, Acc w_invstd) {
  return g * w_invstd;
}

// running <- (1 - momentum) * running + momentum * batch (PyTorch's convention for momentum).
template <typename Acc>
TINT_HD Acc bn_running_update(Acc running, Acc batch, Acc momentum) {
  return (Acc(1) - momentum) * running + momentum * batch;
}

// The running variance tracks the unbiased batch variance: var * n / (n - 1).
template <typename Acc>
TINT_HD Acc bn_unbiased_var(Acc biased_var, Acc count) {
  return biased_var * count / (count - Acc(1));
}

}  // namespace tint::math
