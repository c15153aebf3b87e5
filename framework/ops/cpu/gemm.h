// Batched row-major GEMM on the host (OpenBLAS): C[i] = op(A[i]) op(B[i]) (+ beta C[i]).
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cpu {

// c: contiguous (batch, m, n); a/b contiguous with per-batch strides (0 reuses one matrix).
void gemm_batched(const Tensor& c, const Tensor& a, bool trans_a, int64_t stride_a,
                  const Tensor& b, bool trans_b, int64_t stride_b, int64_t batch, int64_t m,
                  int64_t n, int64_t k, double beta = 0.0);

}  // namespace tint::cpu
