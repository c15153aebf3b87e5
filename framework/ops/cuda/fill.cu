// CUDA fill: one grid-stride kernel per dtype (cuda/fill.h).
#include "framework/core/dtype.h"
#include "framework/ops/cuda/fill.h"
#include "framework/ops/cuda/launch.cuh"

namespace tint::cuda {

namespace {

template <typename T>
__global__ void fill_kernel(T* out, T value, int64_t n) {
  TINT_GRID_STRIDE(i, n) { out[i] = value; }
}

}  // namespace

void fill_contiguous(const Tensor& out, double value) {
  const int64_t n = out.numel();
  if (n == 0) return;
  TINT_DISPATCH_STORAGE(out.dtype(), "fill", [&] {
    fill_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream_of(out)>>>(
        out.data_ptr<scalar_t>(), static_cast<scalar_t>(value), n);
  });
  check_launch("fill");
}

}  // namespace tint::cuda
