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
  for (int64_t p = 0; p < pixels; ++p) {
    const int64_t nn = p / plane, at = p % plane;
    const T* src = ab + nn * 2 * plane + at;
    int32_t idx[math::kMaxNeighbours];
    double w[math::kMaxNeighbours];
    math::ab_soft_encode_point<double, T>(table, src[0], src[plane], k, inv_two_sigma_sq, idx, w);
    const int64_t out = nn * k * plane + at;
    for (int32_t q = 0; q < k; ++q) {
      indices[out + q * plane] = idx[q];
      if (weights) weights[out + q * plane] = static_cast<T>(w[q]);
    }
  }
}

template <typename T>
void dense_loop(T* dense, const T* ab, const math::BinTable& table, int64_t n, int64_t plane,
                int32_t k, double inv_two_sigma_sq) {
  const int64_t pixels = n * plane, bins = table.count;
#pragma omp parallel for if (pixels > kParallelGrain / 16)
  for (int64_t p = 0; p < pixels; ++p) {
    const int64_t nn = p / plane, at = p % plane;
    const T* src = ab + nn * 2 * plane + at;
    int32_t idx[math::kMaxNeighbours];
    double w[math::kMaxNeighbours];
    math::ab_soft_encode_point<double, T>(table, src[0], src[plane], k, inv_two_sigma_sq, idx, w);
    T* out = dense + nn * bins * plane + at;
    for (int64_t c = 0; c < bins; ++c) out[c * plane] = T(0);
    for (int32_t q = 0; q < k; ++q) out[idx[q] * plane] = static_cast<T>(w[q]);
  }
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
