// CUDA max pooling: one thread per output pixel with the CPU's window rule (math/pool.h).
// Backward zero-fills grad_in and scatter-adds with atomics (overlapping windows may pick the
// same pixel; the order of those additions may differ from the CPU's, within rounding).
#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/cuda/pool.h"
#include "framework/ops/math/pool.h"

namespace tint::cuda {

namespace {

template <typename T>
__global__ void max_pool_forward_kernel(T* out, int64_t* idx, const T* x, Pool2dGeometry g) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  TINT_GRID_STRIDE(i, total) {
    const int64_t ow = i % g.out_w, oh = (i / g.out_w) % g.out_h, p = i / (g.out_w * g.out_h);
    const math::PoolPick<T> pick =
        math::max_pool_window(x + p * g.in_h * g.in_w, g.in_h, g.in_w,
                              oh * g.stride_h - g.pad_h, ow * g.stride_w - g.pad_w,
                              g.kernel_h, g.kernel_w);
    out[i] = pick.value;
    idx[i] = pick.index;
  }
}

template <typename T>
__global__ void max_pool_backward_kernel(T* gi, const T* go, const int64_t* idx,
                                         Pool2dGeometry g) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  TINT_GRID_STRIDE(i, total) {
    const int64_t p = i / (g.out_w * g.out_h);
    atomicAdd(gi + p * g.in_h * g.in_w + idx[i], go[i]);
  }
}

}  // namespace

void max_pool2d_forward(const Tensor& out, const Tensor& indices, const Tensor& x,
                        const Pool2dGeometry& geo) {
  const int64_t total = geo.planes * geo.out_h * geo.out_w;
  if (total == 0) return;
  TINT_DISPATCH_FLOATING(x.dtype(), "max_pool2d", [&] {
    max_pool_forward_kernel<<<blocks_for(total), kThreads, 0, stream_of(out)>>>(
        out.data_ptr<scalar_t>(), indices.data_ptr<int64_t>(), x.data_ptr<const scalar_t>(),
        geo);
  });
  check_launch("max_pool2d");
}

void max_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& indices,
                         const Pool2dGeometry& geo) {
  TINT_CUDA_CHECK(cudaMemsetAsync(grad_in.raw_data(), 0, grad_in.nbytes(), stream_of(grad_in)));
  const int64_t total = geo.planes * geo.out_h * geo.out_w;
  if (total == 0) return;
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "max_pool2d backward", [&] {
    max_pool_backward_kernel<<<blocks_for(total), kThreads, 0, stream_of(grad_out)>>>(
        grad_in.data_ptr<scalar_t>(), grad_out.data_ptr<const scalar_t>(),
        indices.data_ptr<const int64_t>(), geo);
  });
  check_launch("max_pool2d backward");
}

}  // namespace tint::cuda
