// Central-difference gradient check used by the cpu and CUDA tests, and the comparison
// helpers they share.
#include "gradcheck.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "framework/autograd/node.h"

namespace tint::testing {

std::string gradcheck(const Function& f, const std::vector<Tensor>& inputs,
                      GradcheckOptions options) {
  for (const Tensor& x : inputs)
    TINT_CHECK(!x.defined() || (x.dtype() == DType::Float64 && x.is_contiguous() && x.is_leaf()),
               "gradcheck: inputs must be contiguous float64 leaves");
  Generator gen(options.seed);
  Tensor projection;
  auto objective = [&](const std::vector<Tensor>& xs) {
    Tensor y = f(xs);
    if (!projection.defined())
      projection = rand(y.shape(), gen,
                        TensorOptions{}.with_dtype(DType::Float64).with_device(y.device()), 0.5,
                        1.5);
    return sum(mul(y, projection));
  };
  for (const Tensor& x : inputs)
    if (x.defined()) x.zero_grad();
  objective(inputs).backward();

  std::ostringstream report;
  int mismatches = 0;
  NoGradGuard no_grad;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    if (!x.defined() || !x.requires_grad()) continue;
    const Tensor analytic = x.grad();
    if (!analytic.defined()) {
      report << "input " << k << ": no gradient reached it\n";
      ++mismatches;
      continue;
    }
    const std::vector<double> a = analytic.to_vector<double>();
    // Perturb a host copy and write it into x, so the check runs on any device.
    Tensor host = x.cpu().clone();
    Tensor x_mut = x.detach();
    double* p = host.data<double>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double saved = p[i];
      p[i] = saved + options.eps;
      x_mut.copy_(host);
      const double up = objective(inputs).item();
      p[i] = saved - options.eps;
      x_mut.copy_(host);
      const double down = objective(inputs).item();
      p[i] = saved;
      x_mut.copy_(host);
      const double numeric = (up - down) / (2 * options.eps);
      // Negated <=, so a NaN gradient (e.g. a device output never written) is a mismatch.
      if (!(std::abs(a[i] - numeric) <= options.atol + options.rtol * std::abs(numeric))) {
        if (mismatches < 10)
          report << "input " << k << " element " << i << ": analytic " << a[i] << " numeric "
                 << numeric << "\n";
        ++mismatches;
      }
    }
  }
  if (mismatches) report << mismatches << " mismatching elements\n";
  return report.str();
}

Tensor leaf64(const Shape& shape, uint64_t seed, double low, double high) {
  Generator gen(seed);
  Tensor t = rand(shape, gen, TensorOptions{}.with_dtype(DType::Float64), low, high);
  t.set_requires_grad(true);
  return t;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  TINT_CHECK(a.shape() == b.shape(), "max_abs_diff: shapes ", shape_str(a.shape()), " and ",
             shape_str(b.shape()), " differ");
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  double m = 0;
  for (size_t i = 0; i < va.size(); ++i) {
    // std::max drops a NaN difference; a NaN on one side only (an unwritten device output)
    // counts as infinitely far, equal values (infinities, NaN on both sides) as equal.
    const bool nan_a = std::isnan(va[i]), nan_b = std::isnan(vb[i]);
    if (va[i] == vb[i] || (nan_a && nan_b)) continue;
    m = std::max(m, nan_a || nan_b ? INFINITY : std::abs(va[i] - vb[i]));
  }
  return m;
}

double relative_gap(const Tensor& got, const Tensor& want) {
  double scale = 0;
  for (double v : want.to_vector<double>()) scale = std::max(scale, std::abs(v));
  return max_abs_diff(got, want) / std::max(scale, 1e-300);
}

int count_graph_nodes(const Tensor& t, const std::string& name) {
  std::vector<Node*> stack{t.grad_fn().get()};
  std::set<Node*> seen;
  int count = 0;
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    if (!node || !seen.insert(node).second) continue;
    if (node->name == name) ++count;
    for (const Edge& e : node->edges) stack.push_back(e.node.get());
  }
  return count;
}

Tensor bfloat16_exact(const Shape& shape, uint64_t seed, double low, double high) {
  Generator gen(seed);
  return rand(shape, gen, TensorOptions{}, low, high).to(DType::BFloat16).to(DType::Float32);
}

}  // namespace tint::testing
