// Batched GEMM through CBLAS (OpenBLAS), float and double.
#include "framework/ops/cpu/gemm.h"

#include <cblas.h>

namespace tint::cpu {

namespace {
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const float* a, int lda,
          const float* b, int ldb, double beta, float* c) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, static_cast<float>(beta), c,
              n);
}
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const double* a, int lda,
          const double* b, int ldb, double beta, double* c) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, n);
}
}  // namespace

void gemm_batched(const Tensor& c, const Tensor& a, bool trans_a, int64_t stride_a,
                  const Tensor& b, bool trans_b, int64_t stride_b, int64_t batch, int64_t m,
                  int64_t n, int64_t k, double beta) {
  const int lda = static_cast<int>(trans_a ? m : k), ldb = static_cast<int>(trans_b ? k : n);
  const CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  TINT_DISPATCH_FLOATING(c.dtype(), "matmul", [&] {
    const scalar_t* pa = a.data<scalar_t>();
    const scalar_t* pb = b.data<scalar_t>();
    scalar_t* pc = c.data<scalar_t>();
    for (int64_t i = 0; i < batch; ++i)
      gemm(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
           pa + i * stride_a, lda, pb + i * stride_b, ldb, beta, pc + i * m * n);
  });
}


}  // namespace tint::cpu
