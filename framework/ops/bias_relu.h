// Fused bias + ReLU of NCHW tensors: the epilogue of a convolution computed without its bias
// (nn::Sequential uses it under nn::settings().fuse_bias_relu, framework/nn/settings.h).
//   bias_relu(x, bias) = max(x + bias[c], 0)  for x (N, C, H, W), bias (C), in one pass,
// with relu()'s rule exactly (x + bias computed in the dtype, then `z <= 0 ? 0 : z`, NaN
// passed on as PyTorch's relu), so it equals relu(x + bias.reshape({1, C, 1, 1})) bit for bit.
// The node saves only the output y, not x; backward is one pass too: grad_x = g where y is
// not <= 0 (else 0), grad_bias[c] = sum over n, h, w of grad_x.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint {

// x: float32, float64 or bfloat16, 4-D (N, C, H, W); bias: same dtype (or float32 for a
// bfloat16 x: the sum is computed in float32 and rounded once, and the bias's gradient comes
// back float32) and device, shape (C). Anything else is a tint::Error that names bias_relu
// and the shapes or dtypes.
Tensor bias_relu(const Tensor& x, const Tensor& bias);

}  // namespace tint
