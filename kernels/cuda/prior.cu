// CUDA ab-bin histogram: each block counts its pixels (grid-stride) into a shared-memory
// histogram with shared atomics, then adds its non-zero bins into the float64 counts with one
// global atomicAdd each. Counts are integers, so the float64 additions are exact and the
// result does not depend on the order the blocks finish in. The grid is capped so the
// global atomics stay few (at most kMaxBlocks * 313 per call).
#include <algorithm>

#include "kernels/cuda/launch.cuh"
#include "kernels/ab_bins.h"
#include "kernels/cuda/prior.h"
#include "kernels/math/prior.h"

namespace tint::color::cuda {

namespace {

constexpr unsigned kMaxBlocks = 1024;

template <typename T>
__global__ void histogram_kernel(double* counts, const T* ab, math::BinTable table, int64_t total,
                                 int64_t plane, int64_t batch_stride, int64_t channel_stride) {
  __shared__ unsigned long long local[kNumBins];
  for (int q = threadIdx.x; q < kNumBins; q += blockDim.x) local[q] = 0;
  __syncthreads();
  TINT_GRID_STRIDE(p, total) {
    const T* a = ab + (p / plane) * batch_stride + p % plane;
    const int32_t q = math::histogram_bin<T>(table, a[0], a[channel_stride]);
    if (q >= 0) atomicAdd(&local[q], 1ull);
  }
  __syncthreads();
  for (int q = threadIdx.x; q < kNumBins; q += blockDim.x)
    if (local[q]) atomicAdd(&counts[q], static_cast<double>(local[q]));
}

}  // namespace

void accumulate_ab_histogram(const Tensor& counts, const Tensor& ab, int64_t n, int64_t plane,
                             int64_t batch_stride, int64_t channel_stride) {
  const int64_t total = n * plane;
  if (total == 0) return;
  const math::BinTable table = AbBins::standard().table(1, ab.device());
  TINT_CHECK(table.count == kNumBins, "accumulate_ab_histogram: expected ", kNumBins,
             " bins, the bin table has ", table.count);
  const unsigned blocks = std::min(blocks_for(total), kMaxBlocks);
  double* c = static_cast<double*>(counts.raw_data());
  if (ab.dtype() == DType::Float64) {
    histogram_kernel<double><<<blocks, kThreads, 0, stream_of(counts)>>>(
        c, static_cast<const double*>(ab.raw_data()), table, total, plane, batch_stride,
        channel_stride);
  } else {
    histogram_kernel<float><<<blocks, kThreads, 0, stream_of(counts)>>>(
        c, static_cast<const float*>(ab.raw_data()), table, total, plane, batch_stride,
        channel_stride);
  }
  check_launch("accumulate_ab_histogram");
}

}  // namespace tint::color::cuda
