// CUDA twin of framework/ops/cpu/gemm.h (cuBLAS).
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cuda {

void gemm_batched(const Tensor& c, const Tensor& a, bool trans_a, int64_t stride_a,
                  const Tensor& b, bool trans_b, int64_t stride_b, int64_t batch, int64_t m,
                  int64_t n, int64_t k, double beta = 0.0);

}  // namespace tint::cuda
