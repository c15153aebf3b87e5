// CUDA twin of kernels/cpu/prior.h: same signature, same per-pixel math
// (kernels/math/prior.h).
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::color::cuda {

void accumulate_ab_histogram(const Tensor& counts, const Tensor& ab, int64_t n, int64_t plane,
                             int64_t batch_stride, int64_t channel_stride);

}  // namespace tint::color::cuda
