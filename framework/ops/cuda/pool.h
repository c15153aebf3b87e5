// CUDA twins of framework/ops/cpu/pool.h.
#pragma once

#include "framework/ops/cpu/pool.h"

namespace tint::cuda {

using cpu::Pool2dGeometry;

void max_pool2d_forward(const Tensor& out, const Tensor& indices, const Tensor& x,
                        const Pool2dGeometry& geo);
void max_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& indices,
                         const Pool2dGeometry& geo);

}  // namespace tint::cuda
