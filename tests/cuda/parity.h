// CPU/GPU parity for the CUDA tests: runs a function on cpu leaves and on their CUDA copies,
// then compares the outputs and, after a backward of sum(y * r) with the same random r, every
// input's gradient. Returns "" when all agree within atol + rtol * |cpu value|.
#pragma once

#include <string>
#include <vector>

#include "gradcheck.h"

namespace tint::testing {

std::string parity(const Function& f, const std::vector<Tensor>& cpu_inputs, double rtol = 1e-5,
                   double atol = 1e-6);

// A cpu leaf of the shape with values uniform in [low, high) (dtype float32 by default).
Tensor cpu_leaf(const Shape& shape, uint64_t seed, DType dtype = DType::Float32,
                double low = -1.0, double high = 1.0);

// The same, float32, of values bfloat16 holds exactly (gradcheck.h's bfloat16_exact).
Tensor cpu_leaf_bf16_exact(const Shape& shape, uint64_t seed, double low = -1.0,
                           double high = 1.0);

}  // namespace tint::testing
