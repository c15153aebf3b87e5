// Per-pixel index and weight rules of nearest and bilinear upsampling, shared by the CPU loops
// and the CUDA kernels. They follow PyTorch's align_corners=false code exactly, including the
// dtype the scale is computed in (float for nearest; the tensor's dtype for bilinear), so
// source indices agree with torch.nn.functional.interpolate even where rounding matters.
#pragma once

#include <cmath>
#include <cstdint>

#include "framework/core/hd.h"

namespace tint::math {

// Source-per-destination step: 1/scale_factor when a factor was given (> 0), else in/out.
template <typename T>
TINT_HD T upsample_scale(int64_t in, int64_t out, double scale_factor) {
  return scale_factor > 0 ? static_cast<T>(1.0 / scale_factor)
                          : static_cast<T>(in) / static_cast<T>(out);
}

// 'nearest': src = floor(dst * scale) in float, clamped to the last pixel. No shortcut for
// out == in: with a scale factor such as 1.3 on 3 pixels (out 3), PyTorch's general CPU path
// and its CUDA kernel step by 1/1.3 (only its single-channel CPU path copies).
TINT_HD int64_t nearest_source_index(int64_t dst, int64_t in, float scale) {
  const int64_t src = static_cast<int64_t>(std::floor(static_cast<float>(dst) * scale));
  return src < in - 1 ? src : in - 1;
}

// One axis of a bilinear sample: value = w0 * in[i0] + w1 * in[i1].
template <typename T>
struct LinearTap {
  int64_t i0, i1;
  T w0, w1;
};

// align_corners=false: src = (dst + 0.5) * scale - 0.5, clamped at 0 below; the upper
// neighbour is clamped to the last pixel (its weight then multiplies the same pixel). An axis
// whose size does not change is copied even when a scale factor says otherwise (5 * 1.1
// floors to 5), as PyTorch's CPU kernel does.
template <typename T>
TINT_HD LinearTap<T> linear_tap(int64_t dst, int64_t in, int64_t out, T scale) {
  if (out == in) return LinearTap<T>{dst, dst, T(1), T(0)};
  T src = scale * (static_cast<T>(dst) + static_cast<T>(0.5)) - static_cast<T>(0.5);
  if (src < T(0)) src = T(0);
  const int64_t i0 = static_cast<int64_t>(src);
  T w1 = src - static_cast<T>(i0);
  if (w1 > T(1)) w1 = T(1);
  LinearTap<T> tap;
  tap.i0 = i0;
  tap.i1 = i0 < in - 1 ? i0 + 1 : i0;
  tap.w1 = w1;
  tap.w0 = T(1) - w1;
  return tap;
}

}  // namespace tint::math
