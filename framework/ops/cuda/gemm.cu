// Batched row-major GEMM through cuBLAS. cuBLAS is column-major, so C = op(A) op(B) is
// computed as C^T = op(B)^T op(A)^T: the operands swap places and keep their flags.
// Full fp32 precision (no TF32), as PyTorch's default for matmul.
#include "framework/ops/cuda/gemm.h"
#include "framework/ops/cuda/launch.cuh"

namespace tint::cuda {

namespace {
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t tb, cublasOperation_t ta, int n, int m,
                    int k, const float* b, int ldb, long long sb, const float* a, int lda,
                    long long sa, float beta, float* c, long long sc, int batch) {
  const float alpha = 1.0f;
  return cublasSgemmStridedBatched(h, tb, ta, n, m, k, &alpha, b, ldb, sb, a, lda, sa, &beta, c,
                                   n, sc, batch);
}
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t tb, cublasOperation_t ta, int n, int m,
                    int k, const double* b, int ldb, long long sb, const double* a, int lda,
                    long long sa, double beta, double* c, long long sc, int batch) {
  const double alpha = 1.0;
  return cublasDgemmStridedBatched(h, tb, ta, n, m, k, &alpha, b, ldb, sb, a, lda, sa, &beta, c,
                                   n, sc, batch);
}
}  // namespace

void gemm_batched(const Tensor& c, const Tensor& a, bool trans_a, int64_t stride_a,
                  const Tensor& b, bool trans_b, int64_t stride_b, int64_t batch, int64_t m,
                  int64_t n, int64_t k, double beta) {
  if (batch == 0 || m == 0 || n == 0) return;
  if (k == 0 && beta == 0.0) {  // empty inner dim: C = 0 (cuBLAS rejects the ld of 0)
    TINT_CUDA_CHECK(cudaMemsetAsync(c.raw_data(), 0, c.nbytes(), stream_of(c)));
    return;
  }
  cublasHandle_t handle = context(c.device().index).cublas();
  TINT_CUBLAS_CHECK(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
  const int lda = static_cast<int>(trans_a ? m : k), ldb = static_cast<int>(trans_b ? k : n);
  const cublasOperation_t ta = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t tb = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  TINT_DISPATCH_FLOATING(c.dtype(), "matmul", [&] {
    TINT_CUBLAS_CHECK(gemm(handle, tb, ta, static_cast<int>(n), static_cast<int>(m),
                           static_cast<int>(k), b.data_ptr<const scalar_t>(), ldb, stride_b,
                           a.data_ptr<const scalar_t>(), lda, stride_a,
                           static_cast<scalar_t>(beta), c.data_ptr<scalar_t>(), m * n,
                           static_cast<int>(batch)),
                      "(batch ", batch, ", m ", m, ", n ", n, ", k ", k, ")");
  });
}

}  // namespace tint::cuda
