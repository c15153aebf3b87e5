// The per-element SGD update (torch.optim.SGD's arithmetic), shared by the CPU loop and a
// fused CUDA kernel. Coefficients arrive already cast to the parameter's type, as PyTorch
// casts its Python-float hyperparameters to the tensor's type.
#pragma once

#include "framework/core/hd.h"

namespace tint::optim_math {

template <typename T>
struct SGDCoefficients {
  T lr, momentum, dampening, weight_decay;
  bool nesterov;
  bool first_step;  // the momentum buffer is set to the gradient, not blended
};

// buf may be null when momentum is 0 (no buffer is kept then).
template <typename T>
TINT_HD void sgd_update(T& p, T g, T* buf, const SGDCoefficients<T>& c) {
  T d = g;
  if (c.weight_decay != T(0)) d = d + c.weight_decay * p;
  if (c.momentum != T(0)) {
    T b;
    if (c.first_step) {
      b = d;
    } else {
      b = *buf * c.momentum;
      b = b + (T(1) - c.dampening) * d;
    }
    *buf = b;
    d = c.nesterov ? d + c.momentum * b : b;
  }
  p = p + (-c.lr) * d;
}

}  // namespace tint::optim_math
