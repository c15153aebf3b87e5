// Inverted dropout: in training zeroes each element with probability p and scales the rest by
// 1/(1-p); p must be in [0, 1] and p = 1 gives zeros. In eval, or with p = 0, the input
// itself is returned and no random counters are used. Element i of a call is dropped when
// rnd::uniform(gen.seed(), first + i) < p, where first = gen.take(numel), so a seed gives the
// same mask on every device; the backward regenerates that mask instead of storing it.
#pragma once

#include "framework/core/generator.h"
#include "framework/tensor/tensor.h"

namespace tint {

Tensor dropout(const Tensor& input, double p, bool training, Generator& gen);
Tensor dropout(const Tensor& input, double p, bool training);  // default generator

}  // namespace tint
