// Index math of 2-D convolution lowered to GEMM (im2col / col2im), shared by the CPU loops
// and the CUDA kernels. A convolution is described from its image side: the image
// (channels, height, width) is what the kernel slides over (conv2d's input, conv_transpose2d's
// output); its columns matrix has one row per (channel, kh, kw) tap and one column per
// output position (out_h * out_w), so conv2d is weight (C_out x rows) . columns.
#pragma once

#include <cstdint>

#include "framework/core/hd.h"

namespace tint::math {

struct ConvGeometry {
  int64_t channels = 0, height = 0, width = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
  int64_t dil_h = 1, dil_w = 1;
  // Not always conv_output_size(height, ...): a transposed convolution with output_padding
  // has an image a row or column larger than its columns cover.
  int64_t out_h = 0, out_w = 0;
  // The GPU's NHWC path (layout.h): image, columns and filter are channels_last, described to
  // cuDNN as NHWC. The CPU kernels always get contiguous NCHW tensors (false).
  bool channels_last = false;

  TINT_HD int64_t image_size() const { return channels * height * width; }
  TINT_HD int64_t col_rows() const { return channels * kernel_h * kernel_w; }
  TINT_HD int64_t col_cols() const { return out_h * out_w; }
  // A 1x1, stride-1, unpadded kernel reads each pixel once, in order: the columns matrix
  // is the image itself, so the GEMM can read (or write) the image directly.
  TINT_HD bool columns_are_image() const {
    return kernel_h == 1 && kernel_w == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 &&
           pad_w == 0 && out_h == height && out_w == width;
  }
};

// floor(a / b) for b > 0; C++ division truncates toward zero, which is wrong for a < 0.
TINT_HD int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

TINT_HD int64_t ceil_div(int64_t a, int64_t b) {
  return -floor_div(-a, b);
}

// Positions along one axis; <= 0 when the padded input is smaller than the dilated kernel
// (floored, so such a case can never round up to one position).
TINT_HD int64_t conv_out_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                                int64_t dil) {
  return floor_div(in + 2 * pad - dil * (kernel - 1) - 1, stride) + 1;
}

TINT_HD int64_t conv_transpose_out_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                                          int64_t output_pad, int64_t dil) {
  return (in - 1) * stride - 2 * pad + dil * (kernel - 1) + output_pad + 1;
}

// Image coordinate that output position o reads through kernel tap k (may lie in the
// padding, i.e. outside [0, in)).
TINT_HD int64_t conv_image_coord(int64_t o, int64_t k, int64_t stride, int64_t pad, int64_t dil) {
  return o * stride - pad + k * dil;
}

// The output positions [lo, hi) whose tap k lands inside the image [0, in); the rest read
// padding. lo <= hi always. Lets the row loops skip per-element bounds checks.
TINT_HD void conv_valid_range(int64_t k, int64_t stride, int64_t pad, int64_t dil, int64_t in,
                              int64_t out, int64_t& lo, int64_t& hi) {
  // 0 <= o * stride - pad + k * dil < in
  lo = ceil_div(pad - k * dil, stride);
  hi = ceil_div(in + pad - k * dil, stride);
  lo = lo < 0 ? 0 : (lo > out ? out : lo);
  hi = hi < lo ? lo : (hi > out ? out : hi);
}

// Inverse of conv_image_coord for a gather: whether image coordinate i is read through tap
// k, and by which output position o.
TINT_HD bool conv_output_coord(int64_t i, int64_t k, int64_t stride, int64_t pad, int64_t dil,
                               int64_t out, int64_t& o) {
  const int64_t t = i + pad - k * dil;
  if (t < 0 || t % stride != 0) return false;
  o = t / stride;
  return o < out;
}

// Element (row, col) of im2col(image): one thread per element on the GPU.
template <typename T>
TINT_HD T im2col_element(const T* image, const ConvGeometry& g, int64_t row, int64_t col) {
  const int64_t kw = row % g.kernel_w;
  const int64_t kh = (row / g.kernel_w) % g.kernel_h;
  const int64_t c = row / (g.kernel_w * g.kernel_h);
  const int64_t ow = col % g.out_w, oh = col / g.out_w;
  const int64_t ih = conv_image_coord(oh, kh, g.stride_h, g.pad_h, g.dil_h);
  const int64_t iw = conv_image_coord(ow, kw, g.stride_w, g.pad_w, g.dil_w);
  if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) return T(0);
  return image[(c * g.height + ih) * g.width + iw];
}

// Pixel (c, ih, iw) of col2im(columns): the sum of every column entry that reads it. A
// gather, so one GPU thread per pixel needs no atomics.
template <typename T>
TINT_HD T col2im_pixel(const T* columns, const ConvGeometry& g, int64_t c, int64_t ih, int64_t iw) {
  T sum = T(0);
  const int64_t cols = g.out_h * g.out_w;
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    int64_t oh = 0;
    if (!conv_output_coord(ih, kh, g.stride_h, g.pad_h, g.dil_h, g.out_h, oh)) continue;
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      int64_t ow = 0;
      if (!conv_output_coord(iw, kw, g.stride_w, g.pad_w, g.dil_w, g.out_w, ow)) continue;
      sum += columns[((c * g.kernel_h + kh) * g.kernel_w + kw) * cols + oh * g.out_w + ow];
    }
  }
  return sum;
}

}  // namespace tint::math
