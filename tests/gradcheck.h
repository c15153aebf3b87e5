// Float64 central-difference gradient check for the tests. The checked function's output is
// projected onto fixed random weights (L = sum(f(x) * r)), so one backward checks the whole
// Jacobian-vector product against (L(x + eps e_i) - L(x - eps e_i)) / 2 eps for every input
// element. Returns an empty string when every element agrees, else a report of mismatches.
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

}  // namespace tint::testing
