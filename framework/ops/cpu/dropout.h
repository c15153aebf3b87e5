// Host loop of inverted dropout. The same loop serves forward and backward: element i keeps
// src[i] * scale when uniform(seed, first + i) >= p and is zero otherwise, so the backward
// recomputes the forward's mask from (seed, first) instead of storing it.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cpu {

// out and src contiguous, same shape and floating dtype.
void dropout_apply(const Tensor& out, const Tensor& src, uint64_t seed, uint64_t first, double p);

}  // namespace tint::cpu
