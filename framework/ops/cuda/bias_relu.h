// CUDA twins of framework/ops/cpu/bias_relu.h.
#pragma once

#include "framework/ops/cpu/bias_relu.h"

namespace tint::cuda {

using cpu::BiasReluGeometry;

void bias_relu_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                       const BiasReluGeometry& geo);
void bias_relu_backward(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                        const Tensor& out, const BiasReluGeometry& geo);

// The per-channel bias of a convolution without the ReLU (out may be x: in place) and its
// gradient (the sum of grad_out over n, h, w): conv.cu's path for bfloat16, where cuDNN's
// float32 bias calls do not apply.
void bias_add_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                      const BiasReluGeometry& geo);
void bias_add_grad(const Tensor& grad_bias, const Tensor& grad_out, const BiasReluGeometry& geo);

}  // namespace tint::cuda
