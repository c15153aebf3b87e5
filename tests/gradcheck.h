// Float64 central-difference gradient check for the tests. The checked function's output is
// projected onto fixed random weights (L = sum(f(x) * r)), so one backward checks the whole
// Jacobian-vector product against (L(x + eps e_i) - L(x - eps e_i)) / 2 eps for every input
// element. Returns an empty string when every element agrees, else a report of mismatches.
// Also the helpers the tests compare with (max_abs_diff, relative_gap, graph node counts).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "framework/tint.h"

namespace tint::testing {

using Function = std::function<Tensor(const std::vector<Tensor>&)>;

struct GradcheckOptions {
  double eps = 1e-6;
  double rtol = 1e-5;
  double atol = 1e-7;
  uint64_t seed = 1234;
};

std::string gradcheck(const Function& f, const std::vector<Tensor>& inputs,
                      GradcheckOptions options = {});

// A float64 leaf of the shape with values uniform in [low, high), requiring grad.
Tensor leaf64(const Shape& shape, uint64_t seed, double low = -1.0, double high = 1.0);

// Largest |a - b| over all elements (shapes must match).
double max_abs_diff(const Tensor& a, const Tensor& b);

// max |got - want| over max |want| (the gap the tests state tolerances in); any device or
// dtype, compared in float64 on the host.
double relative_gap(const Tensor& got, const Tensor& want);

// How many nodes named `name` the autograd graph behind t holds.
int count_graph_nodes(const Tensor& t, const std::string& name);

// The dtypes the mixed-precision tests name most.
constexpr DType kBF16 = DType::BFloat16;
constexpr DType kF32 = DType::Float32;

// A float32 tensor of the shape, uniform in [low, high), of values bfloat16 holds exactly
// (so a bfloat16 path and its float32 reference start from equal inputs); no gradient.
Tensor bfloat16_exact(const Shape& shape, uint64_t seed, double low = -1.0, double high = 1.0);

}  // namespace tint::testing
