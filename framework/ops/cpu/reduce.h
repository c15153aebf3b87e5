// Host reductions over one dim of a contiguous tensor seen as (outer, n, inner).
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cpu {

// out: (outer, inner) contiguous; x: contiguous.
void sum_dim(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner);
// values (may be undefined) and indices (int64, may be undefined) of the first maximum.
void max_dim(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
             int64_t n, int64_t inner);
// grad_in (outer, n, inner) zero-filled except grad at the argmax positions.
void scatter_dim(const Tensor& grad_in, const Tensor& grad, const Tensor& indices,
                 int64_t outer, int64_t n, int64_t inner);

}  // namespace tint::cpu
