// CUDA twins of kernels/cpu/soft_encode.h (same signatures; the table's arrays must be on
// ab's device).
#pragma once

#include "kernels/cpu/soft_encode.h"

namespace tint::color::cuda {

void soft_encode(const Tensor& indices, const Tensor& weights, const Tensor& ab,
                 const math::BinTable& table, int64_t k, double sigma);
void soft_encode_dense(const Tensor& dense, const Tensor& ab, const math::BinTable& table,
                       int64_t k, double sigma);

}  // namespace tint::color::cuda
