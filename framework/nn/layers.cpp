// The layers' construction (shapes, PyTorch's default initialisation, buffers) and their
// forward passes, which only pick arguments for the ops.
#include "framework/nn/layers.h"

#include "framework/autograd/grad_mode.h"
#include "framework/core/random_math.h"
#include "framework/nn/init.h"
#include "framework/nn/settings.h"
#include "framework/ops/batch_norm.h"
#include "framework/ops/bias_relu.h"
#include "framework/ops/dropout.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/matmul.h"
#include "framework/ops/shape_ops.h"
#include "framework/tensor/factories.h"

namespace tint::nn {

namespace {

void check_positive(int64_t value, const char* layer, const char* what) {
  TINT_CHECK(value > 0, layer, ": ", what, " must be > 0, got ", value);
}

void check_kernel(Pair k, const char* layer) {
  TINT_CHECK(k.h > 0 && k.w > 0, layer, ": kernel_size must be positive, got (", k.h, ", ",
             k.w, ")");
}

// Under settings().autocast_bfloat16, what a convolution computes with: float32 tensors cast
// to bfloat16 (a differentiable cast); anything else (undefined, float64, already bfloat16)
// unchanged, as PyTorch's autocast leaves float64 alone. channels_last: a 4-D tensor (an
// input, a weight) is cast straight into the NHWC layout the convolution will take it in,
// one copy instead of a cast and a layout copy (and likewise for its gradient).
Tensor autocast_input(const Tensor& t, bool channels_last) {
  if (!t.defined() || t.dtype() != DType::Float32) return t;
  return channels_last && t.dim() == 4 ? cast_channels_last(t, DType::BFloat16)
                                       : t.to(DType::BFloat16);
}

// A convolution's options and its input, weight and bias as it computes with them under the
// settings s: channels_last when the layer or s asks; under autocast_bfloat16 the operands
// cast (autocast_input), the bias staying float32 when it goes to the fused bias_relu (which
// takes it with bfloat16 activations and computes in float32 anyway): a cast saved each way.
template <typename Options>
void apply_settings(const Settings& s, Options& options, Tensor& x, Tensor& w, Tensor& b,
                    bool fused) {
  options.channels_last = options.channels_last || s.channels_last;
  if (!s.autocast_bfloat16) return;
  x = autocast_input(x, options.channels_last);
  w = autocast_input(w, options.channels_last);
  if (!fused) b = autocast_input(b, false);
}

}  // namespace

// ---- Sequential ----------------------------------------------------------------------------

Sequential::Sequential(std::initializer_list<ModulePtr> modules)
    : Sequential(std::vector<ModulePtr>(modules)) {}

Sequential::Sequential(const std::vector<ModulePtr>& modules) {
  for (const ModulePtr& m : modules) push_back(m);
}

ModulePtr Sequential::operator[](size_t i) const {
  TINT_CHECK(i < children_.size(), "Sequential: index ", i, " is out of range for ",
             children_.size(), " modules");
  return children_[i].second;
}

Tensor Sequential::forward(const Tensor& input) {
  const bool fuse = settings().fuse_bias_relu ||
                    (settings().fuse_bias_relu_on_cuda && input.device().is_cuda());
  Tensor x = input;
  for (size_t i = 0; i < children_.size(); ++i) {
    Module* module = children_[i].second.get();
    const bool relu_next =
        fuse && i + 1 < children_.size() && dynamic_cast<ReLU*>(children_[i + 1].second.get());
    auto* fusable = relu_next ? dynamic_cast<BiasReluFusable*>(module) : nullptr;
    if (fusable && fusable->has_bias()) {
      x = fusable->forward_bias_relu(x);
      ++i;  // the ReLU is part of the fused call
      continue;
    }
    x = module->forward(x);
  }
  return x;
}

// ---- Linear --------------------------------------------------------------------------------

Linear::Linear(int64_t in_features, int64_t out_features, bool bias, Generator& gen) {
  check_positive(in_features, "Linear", "in_features");
  check_positive(out_features, "Linear", "out_features");
  Tensor w = Tensor::empty({out_features, in_features});
  Tensor b = bias ? Tensor::empty({out_features}) : Tensor();
  init::default_layer_init(w, b, gen);
  weight_ = register_parameter("weight", w);
  if (bias) bias_ = register_parameter("bias", b);
}

Tensor Linear::forward(const Tensor& input) { return linear(input, weight_, bias_); }

// ---- Conv2d / ConvTranspose2d --------------------------------------------------------------

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Pair kernel_size,
               Conv2dOptions options, bool bias, Generator& gen)
    : options_(options) {
  check_positive(in_channels, "Conv2d", "in_channels");
  check_positive(out_channels, "Conv2d", "out_channels");
  check_kernel(kernel_size, "Conv2d");
  Tensor w = Tensor::empty({out_channels, in_channels, kernel_size.h, kernel_size.w});
  Tensor b = bias ? Tensor::empty({out_channels}) : Tensor();
  init::default_layer_init(w, b, gen);
  weight_ = register_parameter("weight", w);
  if (bias) bias_ = register_parameter("bias", b);
}

Tensor Conv2d::forward(const Tensor& input) { return convolve(input, /*fuse_bias_relu=*/false); }

Tensor Conv2d::forward_bias_relu(const Tensor& input) {
  TINT_CHECK(bias_.defined(), "Conv2d: forward_bias_relu needs a layer with a bias");
  return convolve(input, /*fuse_bias_relu=*/true);
}

void Conv2d::set_channel_padding(ChannelPadding padding) {
  TINT_CHECK(padding.input_channels >= 0 && padding.output_multiple >= 0,
             "Conv2d: channel padding must be >= 0, got input_channels ",
             padding.input_channels, " and output_multiple ", padding.output_multiple);
  padding_ = padding;
}

// The padding switches pad on the fly with differentiable pad(), so gradients reach the real
// weight and bias only, and the parameters never change shape.
Tensor Conv2d::convolve(const Tensor& input, bool fuse_bias_relu) const {
  const Settings& s = settings();
  const int64_t in_channels = weight_.size(1), out_channels = weight_.size(0);
  Tensor x = input, w = weight_, b = bias_;
  // An input of the wrong shape goes to conv2d unpadded, so its error names the real shapes.
  const bool input_fits = input.defined() && input.dim() == 4 && input.size(1) == in_channels;
  if (s.pad_input_channels && padding_.input_channels > in_channels && input_fits) {
    const int64_t extra = padding_.input_channels - in_channels;
    x = pad(input, {0, 0, 0, 0, 0, extra});
    w = pad(w, {0, 0, 0, 0, 0, extra});
  }
  int64_t extra_out = 0;
  if (s.pad_output_channels && padding_.output_multiple > 1 &&
      out_channels % padding_.output_multiple != 0) {
    extra_out = padding_.output_multiple - out_channels % padding_.output_multiple;
    w = pad(w, {0, 0, 0, 0, 0, 0, 0, extra_out});
    if (b.defined()) b = pad(b, {0, extra_out});
  }
  Conv2dOptions options = options_;
  apply_settings(s, options, x, w, b, fuse_bias_relu);
  const Tensor y = fuse_bias_relu ? bias_relu(conv2d(x, w, Tensor(), options), b)
                                  : conv2d(x, w, b, options);
  return extra_out > 0 ? y.slice(1, 0, out_channels) : y;
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Pair kernel_size,
                                 ConvTranspose2dOptions options, bool bias, Generator& gen)
    : options_(options) {
  check_positive(in_channels, "ConvTranspose2d", "in_channels");
  check_positive(out_channels, "ConvTranspose2d", "out_channels");
  check_kernel(kernel_size, "ConvTranspose2d");
  Tensor w = Tensor::empty({in_channels, out_channels, kernel_size.h, kernel_size.w});
  Tensor b = bias ? Tensor::empty({out_channels}) : Tensor();
  init::default_layer_init(w, b, gen);
  weight_ = register_parameter("weight", w);
  if (bias) bias_ = register_parameter("bias", b);
}

Tensor ConvTranspose2d::convolve(const Tensor& input, bool fuse_bias_relu) const {
  const Settings& s = settings();
  Tensor x = input, w = weight_, b = bias_;
  ConvTranspose2dOptions options = options_;
  apply_settings(s, options, x, w, b, fuse_bias_relu);
  return fuse_bias_relu ? bias_relu(conv_transpose2d(x, w, Tensor(), options), b)
                        : conv_transpose2d(x, w, b, options);
}

Tensor ConvTranspose2d::forward(const Tensor& input) {
  return convolve(input, /*fuse_bias_relu=*/false);
}

Tensor ConvTranspose2d::forward_bias_relu(const Tensor& input) {
  TINT_CHECK(bias_.defined(), "ConvTranspose2d: forward_bias_relu needs a layer with a bias");
  return convolve(input, /*fuse_bias_relu=*/true);
}

// ---- BatchNorm2d ---------------------------------------------------------------------------

BatchNorm2d::BatchNorm2d(int64_t num_features, BatchNormOptions options)
    : num_features_(num_features), options_(options) {
  check_positive(num_features, "BatchNorm2d", "num_features");
  TINT_CHECK(options.eps > 0, "BatchNorm2d: eps must be > 0, got ", options.eps);
  TINT_CHECK(!options.momentum || (*options.momentum >= 0 && *options.momentum <= 1),
             "BatchNorm2d: momentum must be in [0, 1], got ", options.momentum.value_or(0));
  if (options.affine) {
    weight_ = register_parameter("weight", ones({num_features}));
    bias_ = register_parameter("bias", zeros({num_features}));
  }
  if (options.track_running_stats) {
    running_mean_ = register_buffer("running_mean", zeros({num_features}));
    running_var_ = register_buffer("running_var", ones({num_features}));
    num_batches_tracked_ = register_buffer(
        "num_batches_tracked", scalar_tensor(0, TensorOptions{}.with_dtype(DType::Int64)));
  }
}

Tensor BatchNorm2d::forward(const Tensor& input) {
  TINT_CHECK(input.defined() && input.dim() == 4 && input.size(1) == num_features_,
             "BatchNorm2d(", num_features_, "): expected an input of shape (N, ", num_features_,
             ", H, W), got ", describe(input));
  double factor = 0.0;
  if (training_ && options_.track_running_stats) {
    // Counted even with a fixed momentum, as PyTorch does, so the buffer round-trips. With a
    // fixed momentum the count stays on the device (no wait for the host: a CUDA graph can
    // capture the step, framework/cuda/graph.h); the cumulative average needs it on the host.
    NoGradGuard no_grad;
    if (options_.momentum) {
      num_batches_tracked_.copy_(add(num_batches_tracked_, 1.0));
      factor = *options_.momentum;
    } else {
      const double batches = num_batches_tracked_.item() + 1;
      num_batches_tracked_.fill_(batches);
      factor = 1.0 / batches;
    }
  }
  // Without running statistics a model normalises with the batch's even in eval.
  const bool use_batch_stats = training_ || !options_.track_running_stats;
  return batch_norm2d(input, running_mean_, running_var_, weight_, bias_, use_batch_stats,
                      factor, options_.eps);
}

// ---- ReLU, Dropout, Upsample ---------------------------------------------------------------

Tensor ReLU::forward(const Tensor& input) { return relu(input); }

namespace {

uint64_t fresh_seed() {
  Generator& g = default_generator();
  return rnd::bits(g.seed(), g.take(1));
}

}  // namespace

Dropout::Dropout(double p, std::optional<uint64_t> seed)
    : p_(p), gen_(seed ? *seed : fresh_seed()) {
  TINT_CHECK(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got ", p);
}

Tensor Dropout::forward(const Tensor& input) { return dropout(input, p_, training_, gen_); }

Upsample::Upsample(UpsampleSize size, UpsampleMode mode) : size_(size), mode_(mode) {
  TINT_CHECK((size.out_h > 0 && size.out_w > 0) || (size.scale_h > 0 && size.scale_w > 0),
             "Upsample: give an output size or scale factors > 0, got size (", size.out_h,
             ", ", size.out_w, ") and scale (", size.scale_h, ", ", size.scale_w, ")");
}

Tensor Upsample::forward(const Tensor& input) {
  return mode_ == UpsampleMode::Nearest ? upsample_nearest2d(input, size_)
                                        : upsample_bilinear2d(input, size_);
}

// ---- MaxPool2d, AdaptiveAvgPool2d, Flatten ------------------------------------------------

MaxPool2d::MaxPool2d(MaxPool2dOptions options) : options_(options) {
  check_kernel(options.kernel_size, "MaxPool2d");
}

Tensor MaxPool2d::forward(const Tensor& input) { return max_pool2d(input, options_); }

AdaptiveAvgPool2d::AdaptiveAvgPool2d(int64_t out_h, int64_t out_w) : out_h_(out_h), out_w_(out_w) {
  check_positive(out_h, "AdaptiveAvgPool2d", "the output height");
  check_positive(out_w, "AdaptiveAvgPool2d", "the output width");
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) {
  return adaptive_avg_pool2d(input, out_h_, out_w_);
}

Tensor Flatten::forward(const Tensor& input) {
  TINT_CHECK(input.defined() && input.dim() >= 1,
             "Flatten: expected an input with a batch dimension, got ", describe(input));
  return input.reshape({input.size(0), -1});
}

}  // namespace tint::nn
