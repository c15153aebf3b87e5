// CUDA soft-encoding: one thread per pixel (grid-stride), each calling the per-point math of
// kernels/math/ab_bins.h exactly as the host loop does. Adjacent threads handle adjacent
// pixels, so reads of ab and writes of each output plane are coalesced.
#include "framework/core/dtype.h"
#include "framework/ops/cuda/launch.cuh"
#include "kernels/cuda/soft_encode.h"

namespace tint::color::cuda {

using ::tint::cuda::blocks_for;
using ::tint::cuda::check_launch;
using ::tint::cuda::kThreads;
using ::tint::cuda::stream_of;

namespace {

template <typename T>
__global__ void encode_kernel(int64_t* indices, T* weights, const T* ab, math::BinTable table,
                              int64_t pixels, int64_t plane, int32_t k,
                              double inv_two_sigma_sq) {
  TINT_GRID_STRIDE(p, pixels) {
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
__global__ void dense_kernel(T* dense, const T* ab, math::BinTable table, int64_t pixels,
                             int64_t plane, int32_t k, double inv_two_sigma_sq) {
  TINT_GRID_STRIDE(p, pixels) {
    const int64_t nn = p / plane, at = p % plane;
    const T* src = ab + nn * 2 * plane + at;
    int32_t idx[math::kMaxNeighbours];
    double w[math::kMaxNeighbours];
    math::ab_soft_encode_point<double, T>(table, src[0], src[plane], k, inv_two_sigma_sq, idx, w);
    T* out = dense + nn * table.count * plane + at;
    for (int32_t c = 0; c < table.count; ++c) out[c * plane] = T(0);
    for (int32_t q = 0; q < k; ++q) out[idx[q] * plane] = static_cast<T>(w[q]);
  }
}

}  // namespace

void soft_encode(const Tensor& indices, const Tensor& weights, const Tensor& ab,
                 const math::BinTable& table, int64_t k, double sigma) {
  const int64_t plane = ab.size(2) * ab.size(3), pixels = ab.size(0) * plane;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(ab.dtype(), "soft_encode", [&] {
    encode_kernel<<<blocks_for(pixels), kThreads, 0, stream_of(ab)>>>(
        indices.data_ptr<int64_t>(), weights.defined() ? weights.data_ptr<scalar_t>() : nullptr,
        ab.data_ptr<const scalar_t>(), table, pixels, plane, static_cast<int32_t>(k),
        1.0 / (2.0 * sigma * sigma));
  });
  check_launch("soft_encode");
}

void soft_encode_dense(const Tensor& dense, const Tensor& ab, const math::BinTable& table,
                       int64_t k, double sigma) {
  const int64_t plane = ab.size(2) * ab.size(3), pixels = ab.size(0) * plane;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(ab.dtype(), "soft_encode_dense", [&] {
    dense_kernel<<<blocks_for(pixels), kThreads, 0, stream_of(ab)>>>(
        dense.data_ptr<scalar_t>(), ab.data_ptr<const scalar_t>(), table, pixels, plane,
        static_cast<int32_t>(k), 1.0 / (2.0 * sigma * sigma));
  });
  check_launch("soft_encode_dense");
}

}  // namespace tint::color::cuda
