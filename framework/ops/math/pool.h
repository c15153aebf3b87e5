// Per-window rule of max pooling, shared by the CPU loop and the CUDA kernel: the maximum of
// the window's in-image pixels and its position in the plane (row * width + column). As
// PyTorch: the first maximum in row-major order wins, and a NaN replaces whatever came
// before it, so NaN propagates.
#pragma once

#include <cstdint>

#include "framework/core/hd.h"

namespace tint::math {

template <typename T>
struct PoolPick {
  T value;
  int64_t index;
};

// The window whose top-left corner is (h0, w0) (may be negative: padding), kh x kw, clipped
// to the in_h x in_w plane; the caller guarantees it keeps at least one pixel.
template <typename T>
TINT_HD PoolPick<T> max_pool_window(const T* plane, int64_t in_h, int64_t in_w, int64_t h0,
                                    int64_t w0, int64_t kh, int64_t kw) {
  const int64_t h_begin = h0 < 0 ? 0 : h0, w_begin = w0 < 0 ? 0 : w0;
  const int64_t h_end = h0 + kh < in_h ? h0 + kh : in_h;
  const int64_t w_end = w0 + kw < in_w ? w0 + kw : in_w;
  PoolPick<T> pick{plane[h_begin * in_w + w_begin], h_begin * in_w + w_begin};
  for (int64_t h = h_begin; h < h_end; ++h)
    for (int64_t w = w_begin; w < w_end; ++w) {
      const T v = plane[h * in_w + w];
      if (v > pick.value || v != v) pick = PoolPick<T>{v, h * in_w + w};
    }
  return pick;
}

}  // namespace tint::math
