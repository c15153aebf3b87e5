// Matrix products through BLAS: matmul of 2-D (M,K)x(K,N) or batched 3-D (B,M,K)x(B,K,N),
// and linear (x W^T + b, as torch.nn.functional.linear).
#pragma once

#include "framework/tensor/tensor.h"

namespace tint {

Tensor matmul(const Tensor& a, const Tensor& b);
// x: (N, in) or (..., in); weight: (out, in); bias: (out) or undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace tint
