// CUDA annealed mean: one thread per position (grid-stride) calling math::annealed_pixel, as
// the host loop does (one pass over the row for logits: math::annealed_sums); adjacent
// threads read adjacent elements of each class plane. (Splitting rows between threads, as
// the loss kernels do, made this kernel slower on an H100: docs/performance.md.)
#include "framework/core/dtype.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/annealed_mean.h"
#include "kernels/math/color_loss.h"

namespace tint::color::cuda {

namespace {

template <typename T>
__global__ void annealed_kernel(T* out, const T* x, const float* ca, const float* cb,
                                int64_t rows, int64_t bins, int64_t inner, double inv_t,
                                bool from_probs) {
  TINT_GRID_STRIDE(r, rows)
    math::annealed_pixel(out, x, ca, cb, r, bins, inner, inv_t, from_probs);
}

}  // namespace

void annealed_mean(const Tensor& out, const Tensor& x, const float* ca, const float* cb,
                   double temperature, bool from_probs) {
  const int64_t n = x.size(0), bins = x.size(1), inner = n ? x.numel() / (n * bins) : 0;
  const int64_t rows = n * inner;
  if (rows == 0) return;
  TINT_DISPATCH_FLOATING(x.dtype(), "annealed_mean", [&] {
    annealed_kernel<<<blocks_for(rows), kThreads, 0, stream_of(x)>>>(
        out.data_ptr<scalar_t>(), x.data_ptr<const scalar_t>(), ca, cb, rows, bins, inner,
        1.0 / temperature, from_probs);
  });
  check_launch("annealed_mean");
}

}  // namespace tint::color::cuda
