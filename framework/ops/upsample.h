// Upsampling of NCHW tensors, nearest and bilinear, with PyTorch's align_corners=false
// semantics: given a size, the scale is in/out; given a scale factor, the output is
// floor(in * factor) and the source coordinate uses 1/scale_factor (as
// torch.nn.functional.interpolate without recompute_scale_factor). A smaller output
// (downsampling) follows the same rules. Index and weight rules: ops/math/upsample.h.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint {

struct UpsampleSize {
  int64_t out_h = 0, out_w = 0;      // used when > 0
  double scale_h = 0, scale_w = 0;   // used when no size is given
  static UpsampleSize size(int64_t h, int64_t w) { return {h, w, 0, 0}; }
  static UpsampleSize scale(double s) { return {0, 0, s, s}; }
  static UpsampleSize scale(double sh, double sw) { return {0, 0, sh, sw}; }
};

Tensor upsample_nearest2d(const Tensor& input, const UpsampleSize& size);
Tensor upsample_bilinear2d(const Tensor& input, const UpsampleSize& size);

}  // namespace tint
