// CUDA ab-bin histogram: each block counts its pixels (a 2-D grid-stride: pixels by images)
// into a shared-memory histogram with 32-bit shared atomics, then adds its non-zero bins into
// the float64 counts with one global atomicAdd each. Counts are integers, so the float64 additions are exact and the
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

// Counter: unsigned int (shared 32-bit atomics, the fast ones) when no block can count 2^32
// pixels, else unsigned long long. Grid: x over an image's pixels, y over images (grid-stride
// in both), so a thread finds its pixel without dividing.
template <typename T, typename Counter>
__global__ void histogram_kernel(double* counts, const T* ab, math::BinTable table, int64_t n,
                                 int64_t plane, int64_t batch_stride, int64_t channel_stride) {
  __shared__ Counter local[kNumBins];
  for (int q = threadIdx.x; q < kNumBins; q += blockDim.x) local[q] = 0;
  __syncthreads();
  for (int64_t img = blockIdx.y; img < n; img += gridDim.y) {
    const T* base = ab + img * batch_stride;
    for (int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; p < plane;
         p += static_cast<int64_t>(blockDim.x) * gridDim.x) {
      const int32_t q = math::histogram_bin<T>(table, base[p], base[p + channel_stride]);
      if (q >= 0) atomicAdd(&local[q], Counter(1));
    }
  }
  __syncthreads();
  for (int q = threadIdx.x; q < kNumBins; q += blockDim.x)
    if (local[q]) atomicAdd(&counts[q], static_cast<double>(local[q]));
}

template <typename T>
void launch_histogram(double* counts, const T* ab, const math::BinTable& table, int64_t n,
                      int64_t plane, int64_t batch_stride, int64_t channel_stride,
                      cudaStream_t stream) {
  const unsigned by = static_cast<unsigned>(std::min<int64_t>(n, 64));
  const unsigned bx = std::min(blocks_for(plane), std::max(1u, kMaxBlocks / by));
  const dim3 grid(bx, by);
  if (n * plane < (int64_t(1) << 32)) {
    histogram_kernel<T, unsigned int><<<grid, kThreads, 0, stream>>>(
        counts, ab, table, n, plane, batch_stride, channel_stride);
  } else {
    histogram_kernel<T, unsigned long long><<<grid, kThreads, 0, stream>>>(
        counts, ab, table, n, plane, batch_stride, channel_stride);
  }
}

}  // namespace

void accumulate_ab_histogram(const Tensor& counts, const Tensor& ab, int64_t n, int64_t plane,
                             int64_t batch_stride, int64_t channel_stride) {
  const int64_t total = n * plane;
  if (total == 0) return;
  const math::BinTable table = AbBins::standard().table(1, ab.device());
  TINT_CHECK(table.count == kNumBins, "accumulate_ab_histogram: expected ", kNumBins,
             " bins, the bin table has ", table.count);
  double* c = static_cast<double*>(counts.raw_data());
  if (ab.dtype() == DType::Float64) {
    launch_histogram(c, static_cast<const double*>(ab.raw_data()), table, n, plane,
                     batch_stride, channel_stride, stream_of(counts));
  } else {
    launch_histogram(c, static_cast<const float*>(ab.raw_data()), table, n, plane,
                     batch_stride, channel_stride, stream_of(counts));
  }
  check_launch("accumulate_ab_histogram");
}

}  // namespace tint::color::cuda
