// Dropout on the GPU through cuDNN: one RNG states buffer per device (seeded once, from the
// first caller's generator seed), and the reserve space (cuDNN's record of the mask)
// returned by forward and kept for backward. Masks therefore differ from the CPU's.
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cuda {

// out = dropout(x); returns the reserve space backward needs.
Tensor dropout_forward(const Tensor& out, const Tensor& x, double p, uint64_t seed);
void dropout_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& reserve,
                      double p);
// Twin of cpu::dropout_apply (the counter-based mask, identical to the CPU's, for contiguous
// and channels_last src alike; out in src's layout); float32, float64 and bfloat16. Used for
// p = 1, for bfloat16 (no reserve space kept: the backward redraws the mask) and by the
// parity tests.
void dropout_apply(const Tensor& out, const Tensor& src, uint64_t seed, uint64_t first, double p);

// The device's replay offset (int64[1], zero until a graph advances it): dropout_apply draws
// counters first + offset + i, so a CUDA graph that captured a step adds the step's counters
// to it each replay (framework/optim/graphed_step.h) and every replay draws fresh masks, as
// the eager steps' advancing generators do. Made (zeroed) on first use.
const Tensor& dropout_replay_offset(int device);

}  // namespace tint::cuda
