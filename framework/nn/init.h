// Weight initialisation as torch.nn.init, drawing from a tint::Generator so a seed fixes a
// model's initial weights on every device. Each function fills the tensor in place (no
// autograd) and returns the same handle; a zero-element tensor is left as is (PyTorch warns
// and does the same).
#pragma once

#include <cstdint>
#include <utility>

#include "framework/core/generator.h"
#include "framework/tensor/tensor.h"

namespace tint::nn::init {

enum class FanMode { FanIn, FanOut };
enum class Nonlinearity { Linear, Conv, Sigmoid, Tanh, ReLU, LeakyReLU, SELU };

// torch.nn.init.calculate_gain: 1 for linear/conv/sigmoid, 5/3 tanh, sqrt(2) relu,
// sqrt(2 / (1 + slope^2)) leaky relu (slope = param), 3/4 selu.
double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);
// (fan_in, fan_out) = (size(1), size(0)) times the receptive field (product of the remaining
// sizes); a tint::Error for tensors with fewer than 2 dims.
std::pair<int64_t, int64_t> fan_in_and_fan_out(const Shape& shape);

Tensor uniform_(Tensor t, Generator& gen, double low = 0.0, double high = 1.0);
Tensor normal_(Tensor t, Generator& gen, double mean = 0.0, double std = 1.0);
Tensor constant_(Tensor t, double value);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);

// He initialisation: std = gain / sqrt(fan) with gain = calculate_gain(nonlinearity, a);
// uniform on [-sqrt(3) std, sqrt(3) std]. Defaults as PyTorch (leaky_relu with a = 0, which
// is ReLU's gain sqrt(2); fan_in).
Tensor kaiming_uniform_(Tensor t, Generator& gen, double a = 0.0, FanMode mode = FanMode::FanIn,
                        Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
Tensor kaiming_normal_(Tensor t, Generator& gen, double a = 0.0, FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
// Glorot initialisation: std = gain sqrt(2 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor t, Generator& gen, double gain = 1.0);
Tensor xavier_normal_(Tensor t, Generator& gen, double gain = 1.0);

// PyTorch's reset_parameters for Linear and Conv*d: kaiming_uniform_ with a = sqrt(5) (a
// uniform bound of 1/sqrt(fan_in)) on the weight and uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
// on the bias (which may be undefined). fan_in comes from the weight's layout, so for a
// transposed convolution (C_in, C_out, kH, kW) it is C_out kH kW, as in PyTorch.
void default_layer_init(Tensor weight, Tensor bias, Generator& gen);

}  // namespace tint::nn::init
