// Switches of the nn layers, prepared for the GPU (tensor-core-friendly channel counts,
// fewer passes over activations, bfloat16). All are OFF by default, except that
// fuse_bias_relu_on_cuda fuses bias and ReLU for inputs on a CUDA device (measured faster
// there: docs/performance.md; CPU results stay those of the plain path). Each but
// autocast_bfloat16 computes the same function as the plain path (equal within rounding;
// tests/cpu/test_nn_settings.cpp checks outputs, losses and gradients in float64) and none
// changes a parameter's name or shape, so state dicts and checkpoints load either way.
// Process-wide and read at every forward, like cuda::settings(); plain C++ so apps can set
// them in any build.
//   fuse_bias_relu      — nn::Sequential runs a Conv2d or ConvTranspose2d that has a bias and
//                         is directly followed by a ReLU as the convolution without its bias,
//                         then bias_relu (ops/bias_relu.h): one fused pass for bias and ReLU,
//                         whose backward saves only the output.
//   fuse_bias_relu_on_cuda — the same fusion, but only when Sequential's input is on a CUDA
//                         device (ON by default; off = the plain path everywhere).
//   pad_input_channels  — a Conv2d marked with ChannelPadding::input_channels (nn/layers.h;
//                         the colorizers' first convolution: 1 -> 8) zero-pads its input and,
//                         on the fly, its weight to that many input channels. The extra
//                         channels multiply zeros by zeros; the weight keeps its real shape.
//   pad_output_channels — a Conv2d marked with ChannelPadding::output_multiple (the
//                         colorizers' 313-way classification head: 313 -> 320) computes with
//                         its weight and bias zero-padded on the fly to that multiple of output
//                         channels and returns only the real ones (a view), so the extra
//                         outputs never reach a loss, a decoder or the state dict.
//   autocast_bfloat16   — bfloat16 mixed precision (framework/ops/mixed_precision.h): Conv2d
//                         and ConvTranspose2d cast a float32 input, their weight and their
//                         bias to bfloat16 and compute in bfloat16 (float32 accumulation), so
//                         activations are bfloat16 between layers; parameters, their
//                         gradients, BatchNorm's statistics and the optimizer stay float32;
//                         the colorizer models return float32 outputs. Not bit-equal to the
//                         plain path: equal within bfloat16 rounding (tests/cpu/
//                         test_mixed_precision.cpp states the tolerances).
//   channels_last       — Conv2d and ConvTranspose2d compute in the NHWC layout and return
//                         channels_last outputs (framework/tensor/layout.h; their options'
//                         channels_last): cuDNN's tensor-core layout on the GPU, where bias_relu,
//                         batch norm, dropout and casts keep it; the same values everywhere.
#pragma once

namespace tint::nn {

struct Settings {
  bool fuse_bias_relu = false;
  bool pad_input_channels = false;
  bool pad_output_channels = false;
  bool fuse_bias_relu_on_cuda = true;
  bool autocast_bfloat16 = false;
  bool channels_last = false;
};

Settings& settings();

// Sets the switches for a scope and restores the previous ones on exit (tests, benchmarks).
class SettingsScope {
 public:
  explicit SettingsScope(const Settings& scoped) : saved_(settings()) { settings() = scoped; }
  ~SettingsScope() { settings() = saved_; }
  SettingsScope(const SettingsScope&) = delete;
  SettingsScope& operator=(const SettingsScope&) = delete;

 private:
  Settings saved_;
};

}  // namespace tint::nn
