// Host loops of the fused bias + ReLU on contiguous (N, C, positions) tensors. Forward writes
// y = max(x + bias[c], 0); backward writes grad_x = grad_y * (y > 0) and/or grad_bias (C), the
// per-channel sum of that product (either output may be undefined: not needed).
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cpu {

struct BiasReluGeometry {
  int64_t batch = 0, channels = 0, positions = 0;  // positions = H * W
  // The CUDA kernels' NHWC layout (framework/tensor/layout.h); the CPU's are always NCHW.
  bool channels_last = false;
};

void bias_relu_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                       const BiasReluGeometry& geo);
void bias_relu_backward(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                        const Tensor& out, const BiasReluGeometry& geo);

}  // namespace tint::cpu
