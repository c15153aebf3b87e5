// Host loops of the soft-encoding (kernels/soft_encode.h). ab is a contiguous (N, 2, H, W)
// float32/float64 tensor; outputs are contiguous and preallocated by the caller, which also
// checked k against the table (k <= table.k).
#pragma once

#include "framework/tensor/tensor.h"
#include "kernels/math/ab_bins.h"

namespace tint::color::cpu {

// indices (N, k, H, W) int64 receive the k nearest bins ascending by (distance, index);
// weights (N, k, H, W) of ab's dtype their normalised Gaussian weights, unless undefined.
void soft_encode(const Tensor& indices, const Tensor& weights, const Tensor& ab,
                 const math::BinTable& table, int64_t k, double sigma);
// dense (N, bins, H, W) of ab's dtype: every element written, zero outside the k nearest.
void soft_encode_dense(const Tensor& dense, const Tensor& ab, const math::BinTable& table,
                       int64_t k, double sigma);

}  // namespace tint::color::cpu
