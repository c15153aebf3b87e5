// CUDA twins of kernels/cpu/lab.h: same signatures, same per-pixel math (kernels/math/lab.h),
// one thread per pixel.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::color::cuda {

void rgb_to_lab(const Tensor& out, const Tensor& rgb);
void lab_to_rgb(const Tensor& out, const Tensor& lab);
void rgb8_to_lab(const Tensor& out, const Tensor& image);
void lab_to_rgb8(const Tensor& out, const Tensor& lab);

}  // namespace tint::color::cuda
