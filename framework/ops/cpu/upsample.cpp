// Host upsampling. Source indices and weights depend only on the output row or column, so
// they are tabulated once per axis (math/upsample.h) and shared by every plane; planes are
// independent, so OpenMP splits them, which also keeps the backward's scatter-add race-free.
#include "framework/ops/cpu/upsample.h"

#include <cstring>
#include <vector>

#include "framework/ops/math/upsample.h"

namespace tint::cpu {

namespace {

constexpr int64_t kParallelGrain = 16384;

std::vector<int64_t> nearest_table(int64_t in, int64_t out, double scale_factor) {
  const float scale = math::upsample_scale<float>(in, out, scale_factor);
  std::vector<int64_t> src(out);
  for (int64_t d = 0; d < out; ++d) src[d] = math::nearest_source_index(d, in, scale);
  return src;
}

template <typename T>
std::vector<math::LinearTap<T>> linear_table(int64_t in, int64_t out, double scale_factor) {
  const T scale = math::upsample_scale<T>(in, out, scale_factor);
  std::vector<math::LinearTap<T>> taps(out);
  for (int64_t d = 0; d < out; ++d) taps[d] = math::linear_tap<T>(d, in, out, scale);
  return taps;
}

template <typename T>
void nearest_forward_loop(T* out, const T* x, const UpsampleGeometry& g) {
  const std::vector<int64_t> sh = nearest_table(g.in_h, g.out_h, g.scale_h);
  const std::vector<int64_t> sw = nearest_table(g.in_w, g.out_w, g.scale_w);
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
#pragma omp parallel for if (g.planes * out_plane > kParallelGrain)
  for (int64_t p = 0; p < g.planes; ++p) {
    const T* src = x + p * in_plane;
    T* dst = out + p * out_plane;
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        dst[oh * g.out_w + ow] = src[sh[oh] * g.in_w + sw[ow]];
  }
}

template <typename T>
void nearest_backward_loop(T* gi, const T* go, const UpsampleGeometry& g) {
  const std::vector<int64_t> sh = nearest_table(g.in_h, g.out_h, g.scale_h);
  const std::vector<int64_t> sw = nearest_table(g.in_w, g.out_w, g.scale_w);
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
#pragma omp parallel for if (g.planes * out_plane > kParallelGrain)
  for (int64_t p = 0; p < g.planes; ++p) {
    T* dst = gi + p * in_plane;
    const T* src = go + p * out_plane;
    std::memset(dst, 0, sizeof(T) * in_plane);
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        dst[sh[oh] * g.in_w + sw[ow]] += src[oh * g.out_w + ow];
  }
}

template <typename T>
void bilinear_forward_loop(T* out, const T* x, const UpsampleGeometry& g) {
  const auto th = linear_table<T>(g.in_h, g.out_h, g.scale_h);
  const auto tw = linear_table<T>(g.in_w, g.out_w, g.scale_w);
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
#pragma omp parallel for if (g.planes * out_plane > kParallelGrain)
  for (int64_t p = 0; p < g.planes; ++p) {
    const T* src = x + p * in_plane;
    T* dst = out + p * out_plane;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const math::LinearTap<T>& h = th[oh];
      const T* r0 = src + h.i0 * g.in_w;
      const T* r1 = src + h.i1 * g.in_w;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const math::LinearTap<T>& w = tw[ow];
        dst[oh * g.out_w + ow] = h.w0 * (w.w0 * r0[w.i0] + w.w1 * r0[w.i1]) +
                                 h.w1 * (w.w0 * r1[w.i0] + w.w1 * r1[w.i1]);
      }
    }
  }
}

template <typename T>
void bilinear_backward_loop(T* gi, const T* go, const UpsampleGeometry& g) {
  const auto th = linear_table<T>(g.in_h, g.out_h, g.scale_h);
  const auto tw = linear_table<T>(g.in_w, g.out_w, g.scale_w);
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
#pragma omp parallel for if (g.planes * out_plane > kParallelGrain)
  for (int64_t p = 0; p < g.planes; ++p) {
    T* dst = gi + p * in_plane;
    const T* src = go + p * out_plane;
    std::memset(dst, 0, sizeof(T) * in_plane);
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const math::LinearTap<T>& h = th[oh];
      T* r0 = dst + h.i0 * g.in_w;
      T* r1 = dst + h.i1 * g.in_w;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const math::LinearTap<T>& w = tw[ow];
        const T v = src[oh * g.out_w + ow];
        r0[w.i0] += h.w0 * w.w0 * v;
        r0[w.i1] += h.w0 * w.w1 * v;
        r1[w.i0] += h.w1 * w.w0 * v;
        r1[w.i1] += h.w1 * w.w1 * v;
      }
    }
  }
}

}  // namespace

void upsample_nearest2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo) {
  TINT_DISPATCH_FLOATING(x.dtype(), "upsample_nearest2d", [&] {
    nearest_forward_loop(out.data<scalar_t>(), x.data<scalar_t>(), geo);
  });
}

void upsample_nearest2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                 const UpsampleGeometry& geo) {
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "upsample_nearest2d backward", [&] {
    nearest_backward_loop(grad_in.data<scalar_t>(), grad_out.data<scalar_t>(), geo);
  });
}

void upsample_bilinear2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo) {
  TINT_DISPATCH_FLOATING(x.dtype(), "upsample_bilinear2d", [&] {
    bilinear_forward_loop(out.data<scalar_t>(), x.data<scalar_t>(), geo);
  });
}

void upsample_bilinear2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                  const UpsampleGeometry& geo) {
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "upsample_bilinear2d backward", [&] {
    bilinear_backward_loop(grad_in.data<scalar_t>(), grad_out.data<scalar_t>(), geo);
  });
}

}  // namespace tint::cpu
