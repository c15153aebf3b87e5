// CUDA twins of framework/ops/cpu/conv.h through cuDNN: convolution forward, backward-data
// and backward-filter; a transposed convolution is conv backward-data.
#pragma once

#include <string>
#include <vector>

#include "framework/ops/math/conv.h"
#include "framework/tensor/tensor.h"

namespace tint::cuda {

using math::ConvGeometry;

void conv2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                    const Tensor& bias, const ConvGeometry& g);
void conv2d_backward(const Tensor& grad_input, const Tensor& grad_weight,
                     const Tensor& grad_bias, const Tensor& grad_out, const Tensor& input,
                     const Tensor& weight, const ConvGeometry& g);
void conv_transpose2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                              const Tensor& bias, const ConvGeometry& g);
void conv_transpose2d_backward(const Tensor& grad_input, const Tensor& grad_weight,
                               const Tensor& grad_bias, const Tensor& grad_out,
                               const Tensor& input, const Tensor& weight,
                               const ConvGeometry& g);

// Every cuDNN algorithm chosen so far, in order: "pass dtype (shapes): algorithm A, math
// type, workspace bytes".
std::vector<std::string> conv_algorithm_choices();

}  // namespace tint::cuda
