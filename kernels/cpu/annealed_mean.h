// Host loop of the annealed mean (kernels/annealed_mean.h): x is contiguous (N, bins, inner)
// logits or probabilities, out contiguous (N, 2, inner) of x's dtype; ca / cb are the bin
// centres on the host.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::color::cpu {

void annealed_mean(const Tensor& out, const Tensor& x, const float* ca, const float* cb,
                   double temperature, bool from_probs);

}  // namespace tint::color::cpu
