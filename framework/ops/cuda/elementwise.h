// CUDA twins of framework/ops/cpu/elementwise.h: same signatures, same TINT_HD math.
#pragma once

#include "framework/ops/math/elementwise.h"
#include "framework/tensor/tensor.h"

namespace tint::cuda {

void unary(math::UnaryOp op, const Tensor& out, const Tensor& x);
void unary_backward(math::UnaryOp op, const Tensor& grad_in, const Tensor& x, const Tensor& y,
                    const Tensor& grad_out);
void binary(math::BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
void binary_scalar(math::BinaryOp op, const Tensor& out, const Tensor& a, double s,
                   bool scalar_first);
void clamp(const Tensor& out, const Tensor& x, double lo, double hi);
void clamp_backward(const Tensor& grad_in, const Tensor& x, double lo, double hi,
                    const Tensor& grad_out);

}  // namespace tint::cuda
