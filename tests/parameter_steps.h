// Helpers for tests that compare training steps parameter by parameter: a snapshot of a
// model's parameters, and setting one model's parameters to another's (optionally perturbed,
// to stand for rounding), in place, so that whatever holds the tensors (an optimizer, a
// captured CUDA graph) sees the new values.
#pragma once

#include <cstdint>
#include <vector>

#include "framework/tint.h"

namespace tint::testing {

// Copies of the parameters' current values, on the host (where the tests compare them): a
// CUDA parameter is copied to the host once, a CPU one cloned.
inline std::vector<Tensor> snapshot(const NamedParameters& params) {
  std::vector<Tensor> out;
  for (const auto& [name, t] : params) out.push_back(t.device().is_cuda() ? t.cpu() : t.clone());
  return out;
}

// Writes `from`'s values into `to`'s tensors in place; with relative > 0 each element is
// times (1 + u * relative), u uniform in [-1, 1] from Generator(seed).
inline void assign_parameters(const NamedParameters& from, const NamedParameters& to,
                              double relative = 0.0, uint64_t seed = 0) {
  const NoGradGuard no_grad;
  Generator gen(seed);
  for (size_t k = 0; k < from.size(); ++k) {
    Tensor dst = to[k].second;  // a handle: copy_ writes the model's tensor
    const Tensor& src = from[k].second;
    if (relative == 0.0) dst.copy_(src);
    else dst.copy_(src + src * rand(src.shape(), gen, TensorOptions{}, -1.0, 1.0) * relative);
  }
}

}  // namespace tint::testing
