// CUDA twin of framework/ops/cpu/copy.h: device copy between two views of the same shape
// with dtype conversion.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cuda {

void copy_strided(const Tensor& dst, const Tensor& src);

}  // namespace tint::cuda
