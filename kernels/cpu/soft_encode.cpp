// Host soft-encoding: one iteration per pixel (OpenMP), each calling the per-point math of
// kernels/math/ab_bins.h, as the CUDA kernels do per thread.
#include "kernels/cpu/soft_encode.h"

namespace tint::color::cpu {

namespace {

constexpr int64_t kParallelGrain = 4096;

template <typename T>
void encode_loop(int64_t* indices, T* weights, const T* ab, const math::BinTable& table,
                 int64_t n, int64_t plane, int32_t k, double inv_two_sigma_sq) {
  const int64_t pixels = n * plane;
#pragma omp parallel for if (pixels > kParallelGrain)
  for (int64_t p = 0; p < pixels; ++p)
    math::soft_encode_pixel(indices, weights, ab, table, p, plane, k, inv_two_sigma_sq);
}

template <typename T>
void dense_loop(T* dense, const T* ab, const math::BinTable& table, int64_t n, int64_t plane,
                int32_t k, double inv_two_sigma_sq) {
  const int64_t pixels = n * plane;
#pragma omp parallel for if (pixels > kParallelGrain / 16)
  for (int64_t p = 0; p < pixels; ++p)
    math::soft_encode_dense_pixel(dense, ab, table, p, plane, k, inv_two_sigma_sq);
}

}  // namespace

void soft_encode(const Tensor& indices, const Tensor& weights, const Tensor& ab,
                 const math::BinTable& table, int64_t k, double sigma) {
  const int64_t n = ab.size(0), plane = ab.size(2) * ab.size(3);
  TINT_DISPATCH_FLOATING(ab.dtype(), "soft_encode", [&] {
    encode_loop(indices.data<int64_t>(), weights.defined() ? weights.data<scalar_t>() : nullptr,
                ab.data<scalar_t>(), table, n, plane, static_cast<int32_t>(k),
                1.0 / (2.0 * sigma * sigma));
  });
}

void soft_encode_dense(const Tensor& dense, const Tensor& ab, const math::BinTable& table,
                       int64_t k, double sigma) {
  const int64_t n = ab.size(0), plane = ab.size(2) * ab.size(3);
  TINT_DISPATCH_FLOATING(ab.dtype(), "soft_encode_dense", [&] {
    dense_loop(dense.data<scalar_t>(), ab.data<scalar_t>(), table, n, plane,
               static_cast<int32_t>(k), 1.0 / (2.0 * sigma * sigma));
  });
}

}  // namespace tint::color::cpu
