// tint's reference BLAS (the build's fallback when no OpenBLAS is found, TINT_BLAS=AUTO or
// Reference): the subset of OpenBLAS's <cblas.h> that tint's cpu ops use — cblas_sgemm,
// cblas_dgemm and OpenBLAS's thread-count calls — with OpenBLAS's names, values and
// signatures, so framework/ops/cpu/ compiles unchanged against either. See refblas.cpp.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 } CBLAS_ORDER;
typedef enum CBLAS_TRANSPOSE {
  CblasNoTrans = 111,
  CblasTrans = 112,
  CblasConjTrans = 113,
  CblasConjNoTrans = 114
} CBLAS_TRANSPOSE;
typedef CBLAS_ORDER CBLAS_LAYOUT;

// C = alpha op(A) op(B) + beta C, C is M x N, op(A) M x K, op(B) K x N. beta == 0 overwrites
// C without reading it, as BLAS specifies.
void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
                 const enum CBLAS_TRANSPOSE trans_b, const int m, const int n, const int k,
                 const float alpha, const float* a, const int lda, const float* b, const int ldb,
                 const float beta, float* c, const int ldc);
void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
                 const enum CBLAS_TRANSPOSE trans_b, const int m, const int n, const int k,
                 const double alpha, const double* a, const int lda, const double* b,
                 const int ldb, const double beta, double* c, const int ldc);

// Threads one GEMM may use (an OpenMP team over blocks of rows of C; 1 = the calling thread
// only). Defaults to omp_get_max_threads() at first use.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

#ifdef __cplusplus
}
#endif
