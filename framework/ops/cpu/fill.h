// Filling a contiguous tensor with one value on the host (the CPU twin of cuda/fill.h):
// what full(), zeros(), ones() and Tensor::fill_ use.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cpu {

// Every element of out (contiguous, any dtype) set to value converted to out's dtype.
void fill_contiguous(const Tensor& out, double value);

}  // namespace tint::cpu
