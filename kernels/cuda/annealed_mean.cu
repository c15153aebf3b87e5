// CUDA annealed mean. By default (and for probabilities) one thread per position
// (grid-stride) calling math::annealed_pixel, as the host loop does; with
// kernel_settings().annealed_row_split > 1 that many threads per row
// (kernels/cuda/row_split.cuh), each summing its classes with math::annealed_sums, merged as
// the host's one-thread row sums them (splitting ran slower on an H100: docs/performance.md).
// Adjacent threads read adjacent elements of each class plane.
#include "framework/core/dtype.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/annealed_mean.h"
#include "kernels/cuda/row_split.cuh"
#include "kernels/math/color_loss.h"

namespace tint::color::cuda {

namespace {

template <typename T>
__global__ void annealed_kernel(T* out, const T* x, const float* ca, const float* cb,
                                int64_t rows, int64_t bins, int64_t inner,
                                math::ExpScale scale, bool from_probs) {
  TINT_GRID_STRIDE(r, rows)
    math::annealed_pixel(out, x, ca, cb, r, bins, inner, scale, from_probs);
}

template <int Split, typename T>
__global__ void __launch_bounds__(kThreads)
    annealed_split_kernel(T* out, const T* x, const float* ca, const float* cb, int64_t rows,
                          int64_t bins, int64_t inner, math::ExpScale scale) {
  static_assert(Split > 1, "one thread per row is annealed_kernel");
  __shared__ SharedRowSums<2, Split> parts;
  const RowSplit at = row_split<Split>(rows, bins);
  const int64_t nn = at.active ? at.row / inner : 0, i = at.active ? at.row % inner : 0;
  math::RowSums<2> mine;
  if (at.active)
    mine = math::annealed_sums(x + nn * bins * inner + i, at.c_begin, at.c_end, inner, scale,
                               ca, cb);
  parts.put(mine);
  __syncthreads();
  if (threadIdx.y == 0 && at.active) {
    double a = 0, b = 0;
    math::annealed_of(parts.merged(scale), &a, &b);
    out[nn * 2 * inner + i] = static_cast<T>(a);
    out[(nn * 2 + 1) * inner + i] = static_cast<T>(b);
  }
}

}  // namespace

void annealed_mean(const Tensor& out, const Tensor& x, const float* ca, const float* cb,
                   double temperature, bool from_probs) {
  const int64_t n = x.size(0), bins = x.size(1), inner = n ? x.numel() / (n * bins) : 0;
  const int64_t rows = n * inner;
  if (rows == 0) return;
  const math::ExpScale scale = math::ExpScale::of_temperature(temperature);
  TINT_DISPATCH_FLOATING(x.dtype(), "annealed_mean", [&] {
    // One thread per row (the default, and probabilities): the grid-stride kernel that was
    // measured on the H100; more threads per row: the split kernel.
    const int split = from_probs ? 1 : kernel_settings().annealed_row_split;
    with_row_split(split, "annealed_row_split", [&]<int S>() {
      if constexpr (S == 1) {
        annealed_kernel<<<blocks_for(rows), kThreads, 0, stream_of(x)>>>(
            out.data_ptr<scalar_t>(), x.data_ptr<const scalar_t>(), ca, cb, rows, bins, inner,
            scale, from_probs);
      } else {
        annealed_split_kernel<S><<<row_blocks<S>(rows), row_block<S>(), 0, stream_of(x)>>>(
            out.data_ptr<scalar_t>(), x.data_ptr<const scalar_t>(), ca, cb, rows, bins, inner,
            scale);
      }
    });
  });
  check_launch("annealed_mean");
}

}  // namespace tint::color::cuda
