// CUDA twins of framework/ops/cpu/reduce.h.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cuda {

void sum_dim(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner);
void max_dim(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
             int64_t n, int64_t inner);
void scatter_dim(const Tensor& grad_in, const Tensor& grad, const Tensor& indices,
                 int64_t outer, int64_t n, int64_t inner);

}  // namespace tint::cuda
