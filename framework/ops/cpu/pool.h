// Host loops of max pooling on contiguous (planes, H, W) tensors, planes = N * C. Forward
// writes the maxima and, per output, the position of its maximum in the input plane (int64);
// backward overwrites grad_in with grad_out scatter-added to those positions.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cpu {

struct Pool2dGeometry {
  int64_t planes = 0, in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 0, kernel_w = 0, stride_h = 0, stride_w = 0, pad_h = 0, pad_w = 0;
};

void max_pool2d_forward(const Tensor& out, const Tensor& indices, const Tensor& x,
                        const Pool2dGeometry& geo);
void max_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& indices,
                         const Pool2dGeometry& geo);

}  // namespace tint::cpu
