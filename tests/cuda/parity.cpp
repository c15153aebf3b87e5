// CPU/GPU parity helper.
#include "parity.h"

#include <cmath>
#include <sstream>

namespace tint::testing {

namespace {
void compare(const char* what, const Tensor& cpu_value, const Tensor& gpu_value, double rtol,
             double atol, std::ostringstream& report) {
  if (cpu_value.shape() != gpu_value.shape()) {
    report << what << ": cpu shape " << shape_str(cpu_value.shape()) << " vs gpu shape "
           << shape_str(gpu_value.shape()) << "\n";
    return;
  }
  const std::vector<double> c = cpu_value.to_vector<double>(), g = gpu_value.to_vector<double>();
  int bad = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    const bool ok = std::abs(c[i] - g[i]) <= atol + rtol * std::abs(c[i]);
    if (!ok && bad++ < 5)
      report << what << " element " << i << ": cpu " << c[i] << " gpu " << g[i] << "\n";
  }
  if (bad) report << what << ": " << bad << " of " << c.size() << " elements differ\n";
}
}  // namespace

std::string parity(const Function& f, const std::vector<Tensor>& cpu_inputs, double rtol,
                   double atol) {
  std::vector<Tensor> gpu_inputs;
  for (const Tensor& x : cpu_inputs) {
    if (!x.defined()) {
      gpu_inputs.push_back(x);
      continue;
    }
    Tensor g = x.detach().to(Device::cuda());
    if (x.requires_grad()) g.set_requires_grad(true);
    gpu_inputs.push_back(g);
    if (x.requires_grad()) x.zero_grad();
  }
  std::ostringstream report;
  const Tensor y_cpu = f(cpu_inputs), y_gpu = f(gpu_inputs);
  TINT_CHECK(y_gpu.device().is_cuda(), "parity: the function's output is not on the GPU");
  compare("output", y_cpu, y_gpu.cpu(), rtol, atol, report);
  if (y_cpu.requires_grad()) {
    Generator gen(99);
    const Tensor r = rand(y_cpu.shape(), gen, options_of(y_cpu), 0.5, 1.5);
    sum(mul(y_cpu, r)).backward();
    sum(mul(y_gpu, r.to(Device::cuda()))).backward();
    for (size_t i = 0; i < cpu_inputs.size(); ++i) {
      if (!cpu_inputs[i].defined() || !cpu_inputs[i].requires_grad()) continue;
      const std::string what = "gradient of input " + std::to_string(i);
      if (!cpu_inputs[i].grad().defined() || !gpu_inputs[i].grad().defined()) {
        report << what << ": missing\n";
        continue;
      }
      compare(what.c_str(), cpu_inputs[i].grad(), gpu_inputs[i].grad().cpu(), rtol, atol, report);
    }
  }
  return report.str();
}

Tensor cpu_leaf(const Shape& shape, uint64_t seed, DType dtype, double low, double high) {
  Generator gen(seed);
  Tensor t = rand(shape, gen, TensorOptions{}.with_dtype(dtype), low, high);
  t.set_requires_grad(true);
  return t;
}

Tensor cpu_leaf_bf16_exact(const Shape& shape, uint64_t seed, double low, double high) {
  Tensor t = bfloat16_exact(shape, seed, low, high);
  t.set_requires_grad(true);
  return t;
}

}  // namespace tint::testing
