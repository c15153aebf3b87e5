// CUDA twin of framework/ops/cpu/fill.h: filling a contiguous device tensor on its stream,
// so full(), zeros(), ones() on a GPU no longer fill on the host and copy.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cuda {

void fill_contiguous(const Tensor& out, double value);

}  // namespace tint::cuda
