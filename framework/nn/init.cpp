// torch.nn.init's formulas over tint's factories: values are drawn on the host from the
// generator (float64, then cast) and copied into the tensor, wherever it lives.
#include "framework/nn/init.h"

#include <cmath>

#include "framework/autograd/grad_mode.h"
#include "framework/core/error.h"
#include "framework/tensor/factories.h"

namespace tint::nn::init {

namespace {

void check_floating(const Tensor& t, const char* op) {
  TINT_CHECK(t.defined(), "init.", op, ": the tensor is undefined");
  TINT_CHECK(is_floating(t.dtype()), "init.", op, ": expected a float32/float64 tensor, got ",
             describe(t));
}

int64_t fan(const Shape& shape, FanMode mode) {
  const auto [fan_in, fan_out] = fan_in_and_fan_out(shape);
  return mode == FanMode::FanIn ? fan_in : fan_out;
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Conv:
    case Nonlinearity::Sigmoid: return 1.0;
    case Nonlinearity::Tanh: return 5.0 / 3.0;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1.0 + param * param));
    case Nonlinearity::SELU: return 3.0 / 4.0;
  }
  return 1.0;
}

std::pair<int64_t, int64_t> fan_in_and_fan_out(const Shape& shape) {
  TINT_CHECK(shape.size() >= 2, "init: fan in and fan out cannot be computed for a tensor of "
             "shape ", shape_str(shape), " (it needs at least 2 dims)");
  int64_t receptive = 1;
  for (size_t i = 2; i < shape.size(); ++i) receptive *= shape[i];
  return {shape[1] * receptive, shape[0] * receptive};
}

Tensor uniform_(Tensor t, Generator& gen, double low, double high) {
  check_floating(t, "uniform_");
  NoGradGuard no_grad;
  return t.copy_(rand(t.shape(), gen, TensorOptions{}.with_dtype(t.dtype()), low, high));
}

Tensor normal_(Tensor t, Generator& gen, double mean, double std) {
  check_floating(t, "normal_");
  NoGradGuard no_grad;
  return t.copy_(randn(t.shape(), gen, TensorOptions{}.with_dtype(t.dtype()), mean, std));
}

Tensor constant_(Tensor t, double value) {
  TINT_CHECK(t.defined(), "init.constant_: the tensor is undefined");
  NoGradGuard no_grad;
  return t.fill_(value);
}
Tensor zeros_(Tensor t) { return constant_(std::move(t), 0.0); }
Tensor ones_(Tensor t) { return constant_(std::move(t), 1.0); }

Tensor kaiming_uniform_(Tensor t, Generator& gen, double a, FanMode mode,
                        Nonlinearity nonlinearity) {
  check_floating(t, "kaiming_uniform_");
  if (t.numel() == 0) return t;
  const double stddev = calculate_gain(nonlinearity, a) / std::sqrt(double(fan(t.shape(), mode)));
  const double bound = std::sqrt(3.0) * stddev;
  return uniform_(t, gen, -bound, bound);
}

Tensor kaiming_normal_(Tensor t, Generator& gen, double a, FanMode mode,
                       Nonlinearity nonlinearity) {
  check_floating(t, "kaiming_normal_");
  if (t.numel() == 0) return t;
  const double stddev = calculate_gain(nonlinearity, a) / std::sqrt(double(fan(t.shape(), mode)));
  return normal_(t, gen, 0.0, stddev);
}

Tensor xavier_uniform_(Tensor t, Generator& gen, double gain) {
  check_floating(t, "xavier_uniform_");
  if (t.numel() == 0) return t;
  const auto [fan_in, fan_out] = fan_in_and_fan_out(t.shape());
  const double stddev = gain * std::sqrt(2.0 / double(fan_in + fan_out));
  const double bound = std::sqrt(3.0) * stddev;
  return uniform_(t, gen, -bound, bound);
}

Tensor xavier_normal_(Tensor t, Generator& gen, double gain) {
  check_floating(t, "xavier_normal_");
  if (t.numel() == 0) return t;
  const auto [fan_in, fan_out] = fan_in_and_fan_out(t.shape());
  return normal_(t, gen, 0.0, gain * std::sqrt(2.0 / double(fan_in + fan_out)));
}

void default_layer_init(Tensor weight, Tensor bias, Generator& gen) {
  kaiming_uniform_(weight, gen, std::sqrt(5.0));
  if (!bias.defined()) return;
  const int64_t fan_in = fan_in_and_fan_out(weight.shape()).first;
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(double(fan_in)) : 0.0;
  uniform_(bias, gen, -bound, bound);
}

}  // namespace tint::nn::init
