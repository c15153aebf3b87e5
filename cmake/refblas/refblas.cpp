// tint's reference GEMM, used when the build finds no OpenBLAS (TINT_BLAS=AUTO falls back to
// it; TINT_BLAS=Reference forces it): a cache-blocked, register-tiled sgemm/dgemm in plain
// C++ that the compiler vectorizes, several times slower than OpenBLAS but dependency-free.
// It exists so that tint builds and passes its tests on machines without a BLAS package
// (the GPU machine, where the GEMMs that matter run in cuBLAS / cuDNN).
//
// Blocking: op(B) is packed per (KC x NC) block into a row-major panel shared by all
// threads; each thread packs MR rows of alpha * op(A) and computes MR x NR tiles of C in
// local accumulators. Every element of C is summed over k in the same order whatever the
// thread count, so results do not depend on threading.
#include "cblas.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

namespace {

constexpr int kMR = 4;    // rows of C per tile
constexpr int kNR = 16;   // columns of C per tile
constexpr int kKC = 256;  // depth of a packed block
constexpr int kNC = 512;  // columns of a packed block of op(B)

std::atomic<int> g_threads{0};  // 0: not set yet, use omp_get_max_threads()

int blas_threads() {
  const int t = g_threads.load(std::memory_order_relaxed);
  return t > 0 ? t : omp_get_max_threads();
}

// acc (mr x nr) = sum_p ap[r][p] * bp[p][j], added into C.
template <typename T, int MR, int NR>
inline void tile_full(int kc, const T* ap, const T* bp, int ldbp, T* c, int ldc) {
  T acc[MR][NR] = {};
  for (int p = 0; p < kc; ++p) {
    const T* b = bp + static_cast<int64_t>(p) * ldbp;
    for (int r = 0; r < MR; ++r) {
      const T a = ap[r * kc + p];
      for (int j = 0; j < NR; ++j) acc[r][j] += a * b[j];
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < NR; ++j) c[static_cast<int64_t>(r) * ldc + j] += acc[r][j];
}

template <typename T>
inline void tile_edge(int mr, int nr, int kc, const T* ap, const T* bp, int ldbp, T* c,
                      int ldc) {
  T acc[kMR][kNR] = {};
  for (int p = 0; p < kc; ++p) {
    const T* b = bp + static_cast<int64_t>(p) * ldbp;
    for (int r = 0; r < mr; ++r) {
      const T a = ap[r * kc + p];
      for (int j = 0; j < nr; ++j) acc[r][j] += a * b[j];
    }
  }
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) c[static_cast<int64_t>(r) * ldc + j] += acc[r][j];
}

// Row-major C (m x n) = alpha op(A) op(B) + beta C.
template <typename T>
void gemm_row_major(bool ta, bool tb, int m, int n, int k, T alpha, const T* a, int lda,
                    const T* b, int ldb, T beta, T* c, int ldc) {
  if (m <= 0 || n <= 0) return;
  if (beta != T(1)) {
    for (int i = 0; i < m; ++i) {
      T* row = c + static_cast<int64_t>(i) * ldc;
      if (beta == T(0))
        std::fill(row, row + n, T(0));
      else
        for (int j = 0; j < n; ++j) row[j] *= beta;
    }
  }
  if (k <= 0 || alpha == T(0)) return;
  const auto at = [&](int i, int p) {  // op(A)[i][p]
    return ta ? a[static_cast<int64_t>(p) * lda + i] : a[static_cast<int64_t>(i) * lda + p];
  };
  const auto bt = [&](int p, int j) {  // op(B)[p][j]
    return tb ? b[static_cast<int64_t>(j) * ldb + p] : b[static_cast<int64_t>(p) * ldb + j];
  };
  const int64_t work = static_cast<int64_t>(m) * n * k;
  const int threads = work >= (int64_t{1} << 18) && !omp_in_parallel() ? blas_threads() : 1;
  const int row_tiles = (m + kMR - 1) / kMR;
  std::vector<T> bp(static_cast<size_t>(kKC) * kNC);
  for (int jc = 0; jc < n; jc += kNC) {
    const int nc = std::min(kNC, n - jc);
    for (int pc = 0; pc < k; pc += kKC) {
      const int kc = std::min(kKC, k - pc);
      for (int p = 0; p < kc; ++p)
        for (int j = 0; j < nc; ++j) bp[static_cast<size_t>(p) * nc + j] = bt(pc + p, jc + j);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
      for (int tile = 0; tile < row_tiles; ++tile) {
        const int ic = tile * kMR, mr = std::min(kMR, m - ic);
        T ap[kMR * kKC];
        for (int r = 0; r < mr; ++r)
          for (int p = 0; p < kc; ++p) ap[r * kc + p] = alpha * at(ic + r, pc + p);
        T* c_rows = c + static_cast<int64_t>(ic) * ldc + jc;
        for (int jr = 0; jr < nc; jr += kNR) {
          const int nr = std::min(kNR, nc - jr);
          if (mr == kMR && nr == kNR)
            tile_full<T, kMR, kNR>(kc, ap, bp.data() + jr, nc, c_rows + jr, ldc);
          else
            tile_edge<T>(mr, nr, kc, ap, bp.data() + jr, nc, c_rows + jr, ldc);
        }
      }
    }
  }
}

// Column-major C = op(A) op(B) is row-major C^T = op(B)^T op(A)^T: swap the operands.
template <typename T>
void gemm(CBLAS_ORDER order, CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int m, int n,
          int k, T alpha, const T* a, int lda, const T* b, int ldb, T beta, T* c, int ldc) {
  const bool ta = trans_a == CblasTrans || trans_a == CblasConjTrans;
  const bool tb = trans_b == CblasTrans || trans_b == CblasConjTrans;
  if (order == CblasRowMajor)
    gemm_row_major(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else
    gemm_row_major(tb, ta, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
}

}  // namespace

extern "C" {

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
                 const enum CBLAS_TRANSPOSE trans_b, const int m, const int n, const int k,
                 const float alpha, const float* a, const int lda, const float* b, const int ldb,
                 const float beta, float* c, const int ldc) {
  gemm<float>(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
                 const enum CBLAS_TRANSPOSE trans_b, const int m, const int n, const int k,
                 const double alpha, const double* a, const int lda, const double* b,
                 const int ldb, const double beta, double* c, const int ldc) {
  gemm<double>(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void openblas_set_num_threads(int num_threads) {
  g_threads.store(num_threads > 0 ? num_threads : 1, std::memory_order_relaxed);
}

int openblas_get_num_threads(void) { return blas_threads(); }

}  // extern "C"
