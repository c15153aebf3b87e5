// CUDA twins of framework/ops/cpu/upsample.h.
#pragma once

#include "framework/ops/cpu/upsample.h"

namespace tint::cuda {

using cpu::UpsampleGeometry;

void upsample_nearest2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo);
void upsample_nearest2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                 const UpsampleGeometry& geo);
void upsample_bilinear2d_forward(const Tensor& out, const Tensor& x, const UpsampleGeometry& geo);
void upsample_bilinear2d_backward(const Tensor& grad_in, const Tensor& grad_out,
                                  const UpsampleGeometry& geo);

}  // namespace tint::cuda
