// CUDA soft-encoding: one thread per pixel (grid-stride), each calling the per-point math of
// kernels/math/ab_bins.h exactly as the host loop does. Adjacent threads handle adjacent
// pixels, so reads of ab and writes of each output plane are coalesced.
#include "framework/core/dtype.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/soft_encode.h"

namespace tint::color::cuda {

namespace {

template <typename T>
__global__ void encode_kernel(int64_t* indices, T* weights, const T* ab, math::BinTable table,
                              int64_t pixels, int64_t plane, int32_t k,
                              double inv_two_sigma_sq) {
  TINT_GRID_STRIDE(p, pixels)
    math::soft_encode_pixel(indices, weights, ab, table, p, plane, k, inv_two_sigma_sq);
}

template <typename T>
__global__ void dense_kernel(T* dense, const T* ab, math::BinTable table, int64_t pixels,
                             int64_t plane, int32_t k, double inv_two_sigma_sq) {
  TINT_GRID_STRIDE(p, pixels)
    math::soft_encode_dense_pixel(dense, ab, table, p, plane, k, inv_two_sigma_sq);
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
