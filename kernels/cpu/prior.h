// The host loop of the ab-bin histogram behind accumulate_ab_histogram (kernels/prior.h);
// kernels/cuda/prior.h declares its GPU twin with the same signature.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::color::cpu {

// counts: contiguous float64 (313) on the cpu. ab: float32/float64 (n, 2, H, W) whose H x W
// planes are contiguous (plane = H * W elements); image i's a plane starts batch_stride * i
// elements after ab's first element, its b plane channel_stride after that (a slice of a
// Lab tensor qualifies without a copy). Adds one per counted pixel to its nearest bin.
void accumulate_ab_histogram(const Tensor& counts, const Tensor& ab, int64_t n, int64_t plane,
                             int64_t batch_stride, int64_t channel_stride);

}  // namespace tint::color::cpu
