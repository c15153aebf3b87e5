// Host loops of the Lab conversions (kernels/lab.h). Inputs are contiguous and outputs
// contiguous and preallocated by the caller (kernels/lab.cpp checks shapes and dtypes).
// Planar tensors are (N, 3, H, W); interleaved images are (N, H, W, 3) uint8.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::color::cpu {

// Planar float32/float64 -> planar, same dtype.
void rgb_to_lab(const Tensor& out, const Tensor& rgb);
void lab_to_rgb(const Tensor& out, const Tensor& lab);
// Interleaved uint8 (N, H, W, 3) -> planar float32 (N, 3, H, W) Lab.
void rgb8_to_lab(const Tensor& out, const Tensor& image);
// Planar float32/float64 Lab -> interleaved uint8 (N, H, W, 3), rounded.
void lab_to_rgb8(const Tensor& out, const Tensor& lab);

}  // namespace tint::color::cpu
