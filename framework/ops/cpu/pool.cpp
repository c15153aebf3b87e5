// Host max pooling: planes are independent, so OpenMP splits them, which also keeps the
// backward's scatter-add race-free.
#include "framework/ops/cpu/pool.h"

#include <cstring>

#include "framework/ops/math/pool.h"

namespace tint::cpu {

namespace {

constexpr int64_t kParallelGrain = 16384;

template <typename T>
void forward_loop(T* out, int64_t* idx, const T* x, const Pool2dGeometry& g) {
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
#pragma omp parallel for if (g.planes * out_plane * g.kernel_h * g.kernel_w > kParallelGrain)
  for (int64_t p = 0; p < g.planes; ++p) {
    const T* src = x + p * in_plane;
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const math::PoolPick<T> pick =
            math::max_pool_window(src, g.in_h, g.in_w, oh * g.stride_h - g.pad_h,
                                  ow * g.stride_w - g.pad_w, g.kernel_h, g.kernel_w);
        const int64_t o = p * out_plane + oh * g.out_w + ow;
        out[o] = pick.value;
        idx[o] = pick.index;
      }
  }
}

template <typename T>
void backward_loop(T* gi, const T* go, const int64_t* idx, const Pool2dGeometry& g) {
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
#pragma omp parallel for if (g.planes * (in_plane + out_plane) > kParallelGrain)
  for (int64_t p = 0; p < g.planes; ++p) {
    T* dst = gi + p * in_plane;
    std::memset(dst, 0, sizeof(T) * in_plane);
    for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o) dst[idx[o]] += go[o];
  }
}

}  // namespace

void max_pool2d_forward(const Tensor& out, const Tensor& indices, const Tensor& x,
                        const Pool2dGeometry& geo) {
  TINT_DISPATCH_FLOATING(x.dtype(), "max_pool2d", [&] {
    forward_loop(out.data<scalar_t>(), indices.data<int64_t>(), x.data<scalar_t>(), geo);
  });
}

void max_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& indices,
                         const Pool2dGeometry& geo) {
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "max_pool2d backward", [&] {
    backward_loop(grad_in.data<scalar_t>(), grad_out.data<scalar_t>(),
                  indices.data<int64_t>(), geo);
  });
}

}  // namespace tint::cpu
