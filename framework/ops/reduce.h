// Reductions over all elements or one dim (keepdim keeps it with size 1).
#pragma once

#include "framework/tensor/tensor.h"

namespace tint {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim = false);
// The maximum; its gradient goes to the first position holding it.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);
// Index of the first maximum (int64; no gradient). Over all elements: the flat index.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);

// Sums a broadcast gradient back down to shape (used by the backward of broadcasting ops).
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

}  // namespace tint
