// CUDA upsampling: one thread per output pixel with the same index/weight rules as the CPU
// (math/upsample.h). Backward zero-fills grad_in and scatter-adds with atomics (the order of
// float additions may differ from the CPU's, within rounding).
#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/cuda/upsample.h"
#include "framework/ops/math/upsample.h"

namespace tint::cuda {

namespace {

template <typename T>
__global__ void nearest_kernel(T* out, const T* x, UpsampleGeometry g, float sh, float sw,
                               bool backward) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  TINT_GRID_STRIDE(i, total) {
    const int64_t ow = i % g.out_w, oh = (i / g.out_w) % g.out_h, p = i / (g.out_w * g.out_h);
    const int64_t src = (p * g.in_h + math::nearest_source_index(oh, g.in_h, sh)) * g.in_w +
                        math::nearest_source_index(ow, g.in_w, sw);
    if (backward) atomicAdd(out + src, x[i]);  // out = grad_in, x = grad_out
    else out[i] = x[src];
  }
}

template <typename T>
__global__ void bilinear_kernel(T* out, const T* x, UpsampleGeometry g, T sh, T sw,
                                bool backward) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  TINT_GRID_STRIDE(i, total) {
    const int64_t ow = i % g.out_w, oh = (i / g.out_w) % g.out_h, p = i / (g.out_w * g.out_h);
    const math::LinearTap<T> h = math::linear_tap<T>(oh, g.in_h, g.out_h, sh);
    const math::LinearTap<T> w = math::linear_tap<T>(ow, g.in_w, g.out_w, sw);
    const int64_t base = p * g.in_h * g.in_w;
    const int64_t r0 = base + h.i0 * g.in_w, r1 = base + h.i1 * g.in_w;
    if (backward) {
      const T v = x[i];
      atomicAdd(out + r0 + w.i0, h.w0 * w.w0 * v);
      atomicAdd(out + r0 + w.i1, h.w0 * w.w1 * v);
      atomicAdd(out + r1 + w.i0, h.w1 * w.w0 * v);
      atomicAdd(out + r1 + w.i1, h.w1 * w.w1 * v);
    } else {
      out[i] = h.w0 * (w.w0 * x[r0 + w.i0] + w.w1 * x[r0 + w.i1]) +
               h.w1 * (w.w0 * x[r1 + w.i0] + w.w1 * x[r1 + w.i1]);
    }
  }
}

void zero(const Tensor& t) {
  TINT_CUDA_CHECK(cudaMemsetAsync(t.raw_data(), 0, t.nbytes(), stream_of(t)));
}

template <typename T>
void nearest(const Tensor& out, const Tensor& x, const UpsampleGeometry& g, bool backward) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  if (total == 0) return;
  nearest_kernel<<<blocks_for(total), kThreads, 0, stream_of(out)>>>(
      out.data_ptr<T>(), x.data_ptr<const T>(), g,
      math::upsample_scale<float>(g.in_h, g.out_h, g.scale_h),
      math::upsample_scale<float>(g.in_w, g.out_w, g.scale_w), backward);
  check_launch("upsample_nearest2d");
}

template <typename T>
void bilinear(const Tensor& out, const Tensor& x, const UpsampleGeometry& g, bool backward) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  if (total == 0) return;
  bilinear_kernel<<<blocks_for(total), kThreads, 0, stream_of(out)>>>(
      out.data_ptr<T>(), x.data_ptr<const T>(), g,
      math::upsample_scale<T>(g.in_h, g.out_h, g.scale_h),
      math::upsample_scale<T>(g.in_w, g.out_w, g.scale_w), backward);
  check_launch("upsample_bilinear2d");
}

}  // namespace

void upsample_nearest2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo) {
  TINT_DISPATCH_FLOATING(x.dtype(), "upsample_nearest2d",
                         [&] { nearest<scalar_t>(out, x, geo, false); });
}

void upsample_nearest2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                 const UpsampleGeometry& geo) {
  zero(grad_in);
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "upsample_nearest2d backward",
                         [&] { nearest<scalar_t>(grad_in, grad_out, geo, true); });
}

void upsample_bilinear2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo) {
  TINT_DISPATCH_FLOATING(x.dtype(), "upsample_bilinear2d",
                         [&] { bilinear<scalar_t>(out, x, geo, false); });
}

void upsample_bilinear2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                  const UpsampleGeometry& geo) {
  zero(grad_in);
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "upsample_bilinear2d backward",
                         [&] { bilinear<scalar_t>(grad_in, grad_out, geo, true); });
}

}  // namespace tint::cuda
