// CUDA twin of kernels/cpu/annealed_mean.h (same signature; ca / cb on x's device).
#pragma once

#include "kernels/cpu/annealed_mean.h"

namespace tint::color::cuda {

void annealed_mean(const Tensor& out, const Tensor& x, const float* ca, const float* cb,
                   double temperature, bool from_probs);

}  // namespace tint::color::cuda
