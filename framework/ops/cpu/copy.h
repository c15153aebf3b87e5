// Host copy between two views of the same shape, converting the element type.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cpu {

void copy_strided(const Tensor& dst, const Tensor& src);

}  // namespace tint::cpu
