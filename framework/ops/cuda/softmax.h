// CUDA twins of framework/ops/cpu/softmax.h.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cuda {

void softmax_forward(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log);
void softmax_backward(const Tensor& grad_in, const Tensor& y, const Tensor& grad_out,
                      int64_t outer, int64_t n, int64_t inner, bool log);

}  // namespace tint::cuda
