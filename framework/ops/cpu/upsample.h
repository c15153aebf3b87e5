// Host loops of nearest and bilinear upsampling on contiguous (planes, H, W) tensors, where
// planes = N * C. scale_h / scale_w are the user's scale factors, or 0 when an output size was
// given (math/upsample.h turns either into the source step). Backward kernels overwrite
// grad_in with the scatter-add of grad_out through the forward's indices and weights.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cpu {

struct UpsampleGeometry {
  int64_t planes = 0, in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  double scale_h = 0, scale_w = 0;
};

void upsample_nearest2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo);
void upsample_nearest2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                 const UpsampleGeometry& geo);
void upsample_bilinear2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo);
void upsample_bilinear2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                  const UpsampleGeometry& geo);

}  // namespace tint::cpu
