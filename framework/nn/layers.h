// The layers: Sequential, Linear, Conv2d, ConvTranspose2d, BatchNorm2d, ReLU, Dropout,
// Upsample, MaxPool2d, AdaptiveAvgPool2d, Flatten. Parameter names, shapes, buffers and
// default initialisation follow torch.nn, so a state dict saved by PyTorch loads unchanged
// (and back). The result-preserving switches of nn/settings.h (bias + ReLU fusion, channel
// padding) act here, in Sequential and Conv2d.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "framework/core/generator.h"
#include "framework/nn/module.h"
#include "framework/ops/conv.h"
#include "framework/ops/pool.h"
#include "framework/ops/upsample.h"

namespace tint::nn {

// Children named "0", "1", ... in order, so a Sequential registered as "model1" yields
// "model1.0.weight" exactly as PyTorch; forward applies them in turn. Under
// settings().fuse_bias_relu a BiasReluFusable layer with a bias followed directly by a ReLU
// runs as one forward_bias_relu call (the ReLU module is then skipped).
class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<ModulePtr> modules);
  explicit Sequential(const std::vector<ModulePtr>& modules);

  // Appends under the next index and returns the module (typed, for chaining setup).
  template <typename M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    return register_module(std::to_string(children_.size()), std::move(module));
  }
  size_t size() const { return children_.size(); }
  // The i-th module; a tint::Error when out of range.
  ModulePtr operator[](size_t i) const;
  Tensor forward(const Tensor& input) override;
};

// y = x W^T + b; weight (out, in), bias (out).
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  Tensor weight() const { return weight_; }
  Tensor bias() const { return bias_; }  // undefined without bias

 private:
  Tensor weight_, bias_;
};

// Channel counts a Conv2d may pad to for tensor cores; each applies only while its switch in
// nn::settings() is on (pad_input_channels, pad_output_channels), and never changes the
// weight's or the bias's shape. 0 (the default) never pads.
struct ChannelPadding {
  int64_t input_channels = 0;   // zero-pad input and weight up to this many input channels
  int64_t output_multiple = 0;  // compute up to a multiple of this many outputs, return the real
};

// A layer whose relu(forward(x)) can run as one fused step (settings().fuse_bias_relu):
// Conv2d and ConvTranspose2d, when they have a bias.
class BiasReluFusable {
 public:
  virtual ~BiasReluFusable() = default;
  virtual bool has_bias() const = 0;
  // relu(forward(input)) as the layer without its bias, then bias_relu (ops/bias_relu.h); a
  // tint::Error for a layer without a bias.
  virtual Tensor forward_bias_relu(const Tensor& input) = 0;
};

// weight (C_out, C_in, kH, kW), bias (C_out).
class Conv2d : public Module, public BiasReluFusable {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Pair kernel_size,
         Conv2dOptions options = {}, bool bias = true, Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  bool has_bias() const override { return bias_.defined(); }
  Tensor forward_bias_relu(const Tensor& input) override;
  Tensor weight() const { return weight_; }
  Tensor bias() const { return bias_; }
  const Conv2dOptions& options() const { return options_; }
  // Marks the channel counts this layer may pad to (see ChannelPadding); negative counts are
  // a tint::Error.
  void set_channel_padding(ChannelPadding padding);
  const ChannelPadding& channel_padding() const { return padding_; }

 private:
  Tensor convolve(const Tensor& input, bool fuse_bias_relu) const;

  Conv2dOptions options_;
  Tensor weight_, bias_;
  ChannelPadding padding_;
};

// weight (C_in, C_out, kH, kW), bias (C_out).
class ConvTranspose2d : public Module, public BiasReluFusable {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Pair kernel_size,
                  ConvTranspose2dOptions options = {}, bool bias = true,
                  Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  bool has_bias() const override { return bias_.defined(); }
  Tensor forward_bias_relu(const Tensor& input) override;
  Tensor weight() const { return weight_; }
  Tensor bias() const { return bias_; }
  const ConvTranspose2dOptions& options() const { return options_; }

 private:
  // The transposed convolution, with the bias and ReLU fused when fuse_bias_relu (under the
  // nn switches: bfloat16 autocast, channels_last).
  Tensor convolve(const Tensor& input, bool fuse_bias_relu) const;

  ConvTranspose2dOptions options_;
  Tensor weight_, bias_;
};

struct BatchNormOptions {
  double eps = 1e-5;
  // Weight of the new batch in the running averages; nullopt averages over all batches
  // seen (1 / num_batches_tracked), as PyTorch's momentum=None.
  std::optional<double> momentum = 0.1;
  bool affine = true;               // learnable weight (ones) and bias (zeros)
  bool track_running_stats = true;  // buffers running_mean, running_var, num_batches_tracked
};

// Parameters weight, bias (when affine); buffers running_mean (zeros), running_var (ones),
// num_batches_tracked (int64 scalar 0) when tracking. Training normalises with the batch's
// statistics and updates the running ones; eval uses the running ones.
class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t num_features, BatchNormOptions options = {});
  Tensor forward(const Tensor& input) override;
  Tensor weight() const { return weight_; }
  Tensor bias() const { return bias_; }
  Tensor running_mean() const { return running_mean_; }
  Tensor running_var() const { return running_var_; }
  Tensor num_batches_tracked() const { return num_batches_tracked_; }
  const BatchNormOptions& options() const { return options_; }

 private:
  int64_t num_features_;
  BatchNormOptions options_;
  Tensor weight_, bias_, running_mean_, running_var_, num_batches_tracked_;
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override;
};

// Inverted dropout with its own generator, so a run's masks depend only on the seed. Without
// a seed it takes one from the default generator, so layers built after manual_seed(s) are
// reproducible yet differ from each other.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, std::optional<uint64_t> seed = std::nullopt);
  Tensor forward(const Tensor& input) override;
  double p() const { return p_; }
  Generator& generator() { return gen_; }

 private:
  double p_;
  Generator gen_;
};

enum class UpsampleMode { Nearest, Bilinear };

// Nearest or bilinear (align_corners = false) to a size or by a scale factor.
class Upsample : public Module {
 public:
  explicit Upsample(UpsampleSize size, UpsampleMode mode = UpsampleMode::Nearest);
  Tensor forward(const Tensor& input) override;

 private:
  UpsampleSize size_;
  UpsampleMode mode_;
};

// Max pooling (ops/pool.h); no parameters.
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(MaxPool2dOptions options = {});
  Tensor forward(const Tensor& input) override;
  const MaxPool2dOptions& options() const { return options_; }

 private:
  MaxPool2dOptions options_;
};

// Average pooling to a fixed output size (ops/pool.h); (1, 1) is global average pooling.
class AdaptiveAvgPool2d : public Module {
 public:
  AdaptiveAvgPool2d(int64_t out_h, int64_t out_w);
  Tensor forward(const Tensor& input) override;

 private:
  int64_t out_h_, out_w_;
};

// (N, d1, d2, ...) -> (N, d1 * d2 * ...), as torch.nn.Flatten(); a view when contiguous.
class Flatten : public Module {
 public:
  Tensor forward(const Tensor& input) override;
};

}  // namespace tint::nn
