// Host convolution kernels: im2col / col2im loops and the per-sample BLAS GEMMs that turn
// them into conv2d and conv_transpose2d, forward and backward. Every tensor is contiguous
// and preallocated by the caller (tint::conv2d / tint::conv_transpose2d); a gradient left
// undefined is not computed. The geometry always describes the conv2d whose image is
// conv2d's input, or conv_transpose2d's output (see math/conv.h).
#pragma once

#include "framework/ops/math/conv.h"
#include "framework/tensor/tensor.h"

namespace tint::cpu {

using math::ConvGeometry;

// One sample: columns (g.col_rows(), g.col_cols()) from image (g.channels, g.height, g.width).
void im2col(const Tensor& columns, const Tensor& image, const ConvGeometry& g);
// One sample: image = col2im(columns) (overwritten, not accumulated into).
void col2im(const Tensor& image, const Tensor& columns, const ConvGeometry& g);

// out (N, C_out, out_h, out_w) = conv2d(input (N, C, H, W), weight (C_out, C, kH, kW)) + bias.
void conv2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                    const Tensor& bias, const ConvGeometry& g);
void conv2d_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                     const Tensor& grad_out, const Tensor& input, const Tensor& weight,
                     const ConvGeometry& g);

// out (N, C_out, H', W') = conv_transpose2d(input (N, C_in, h, w), weight (C_in, C_out, kH, kW))
// + bias, where g.channels = C_out, g.height/width = H'/W', g.out_h/out_w = h/w.
void conv_transpose2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                              const Tensor& bias, const ConvGeometry& g);
void conv_transpose2d_backward(const Tensor& grad_input, const Tensor& grad_weight,
                               const Tensor& grad_bias, const Tensor& grad_out, const Tensor& input,
                               const Tensor& weight, const ConvGeometry& g);

}  // namespace tint::cpu
