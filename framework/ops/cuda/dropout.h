// Dropout on the GPU through cuDNN: one RNG states buffer per device (seeded once from the
// generator's seed, re-initialised only when the seed changes), and the reserve space
// (cuDNN's record of the mask) returned by forward and kept for backward.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cuda {

// out = dropout(x); returns the reserve space backward needs.
Tensor dropout_forward(const Tensor& out, const Tensor& x, double p, uint64_t seed);
void dropout_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& reserve,
                      double p);

}  // namespace tint::cuda
