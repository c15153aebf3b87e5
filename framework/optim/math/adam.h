// The per-element Adam / AdamW update (torch.optim.Adam and AdamW, single-tensor path),
// shared by the CPU loop and a fused CUDA kernel. The scalar factors that depend on the step
// (bias corrections) are computed once per tensor on the host, as PyTorch does.
#pragma once

#include <cmath>

#include "framework/core/hd.h"

namespace tint::optim_math {

template <typename T>
struct AdamCoefficients {
  T one_minus_beta1;        // 1 - beta1 and 1 - beta2 computed in double, then cast
  T beta2, one_minus_beta2;
  T eps;
  T l2_decay;               // Adam: added to the gradient as weight_decay * p
  T decoupled_factor;       // AdamW: p *= 1 - lr * weight_decay before the update; else 1
  T step_size;              // lr / (1 - beta1^t)
  T bias_correction2_sqrt;  // sqrt(1 - beta2^t)
};

template <typename T>
TINT_HD void adam_update(T& p, T g, T& m, T& v, const AdamCoefficients<T>& c) {
  if (c.decoupled_factor != T(1)) p = p * c.decoupled_factor;
  if (c.l2_decay != T(0)) g = g + c.l2_decay * p;
  // m = beta1 m + (1 - beta1) g, written as PyTorch's lerp (weight < 0.5 branch) so the
  // rounding matches exp_avg.lerp_(grad, 1 - beta1).
  const T w = c.one_minus_beta1;
  m = (w < T(0.5)) ? m + w * (g - m) : g - (g - m) * (T(1) - w);
  v = v * c.beta2 + c.one_minus_beta2 * g * g;
  const T denom = std::sqrt(v) / c.bias_correction2_sqrt + c.eps;
  p = p + (-c.step_size) * (m / denom);
}

}  // namespace tint::optim_math
