// Inverted dropout: in training zeroes each element with probability p and scales the rest by
// 1/(1-p); identity in eval. The mask comes from the counter-based generator, so a seed gives
// the same mask on every device.
#pragma once

#include "framework/core/generator.h"
#include "framework/tensor/tensor.h"

namespace tint {

Tensor dropout(const Tensor& input, double p, bool training, Generator& gen);
Tensor dropout(const Tensor& input, double p, bool training);  // default generator

}  // namespace tint
