// CUDA twins of framework/ops/cpu/bias_relu.h.
#pragma once

#include "framework/ops/cpu/bias_relu.h"

namespace tint::cuda {

using cpu::BiasReluGeometry;

void bias_relu_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                       const BiasReluGeometry& geo);
void bias_relu_backward(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                        const Tensor& out, const BiasReluGeometry& geo);

}  // namespace tint::cuda
