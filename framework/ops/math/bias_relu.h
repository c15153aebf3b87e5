// Per-element rule of the fused bias + ReLU, shared by the CPU loop and the CUDA kernel. The
// forward is relu()'s rule (math/elementwise.h) applied to x + b, so the fused op equals
// relu(x + b) bit for bit; the backward's mask reads the output: y > 0 exactly where x + b > 0.
#pragma once

#include "framework/core/hd.h"

namespace tint::math {

template <typename T>
TINT_HD T bias_relu_value(T x, T bias) {
  const T z = x + bias;
  return z > T(0) ? z : T(0);
}

template <typename T>
TINT_HD T bias_relu_grad(T grad_out, T out) {
  return out > T(0) ? grad_out : T(0);
}

}  // namespace tint::math
