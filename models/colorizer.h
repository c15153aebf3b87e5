// The common interface of the colorization networks (models/seed.h, models/eccv16.h): what a
// trainer or a colorizing app needs without knowing which network it holds: the head kind,
// the width multiplier, each network's own input normalisation and regression encoding, and
// decoding of its output into ab. Built by name through models/registry.h.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/generator.h"
#include "framework/nn/layers.h"
#include "framework/nn/module.h"
#include "framework/optim/optimizer.h"
#include "framework/tensor/tensor.h"
#include "kernels/annealed_mean.h"

namespace tint::models {

// Classification: 313 logits per output pixel, one per ab bin (report eq. 2, decoded by the
// annealed mean). Regression: 2 values per output pixel, ab in the network's own encoding
// (report eq. 1; decode_regression turns them into Lab units).
enum class Head { Classification, Regression };

std::string head_name(Head head);  // "classification" or "regression"
// The inverse of head_name; anything else is a tint::Error listing both names.
Head parse_head(const std::string& name);

// A channel count scaled by the width multiplier: max(1, round(channels * width)), halves
// rounding up. The input channel (L) and the head's 313 or 2 outputs are never scaled.
// width must be a number in (0, kMaxWidth] (tint::Error otherwise).
int64_t scaled_channels(int64_t channels, double width);

// The largest width multiplier the networks are built with: 8 times the report's channels,
// about 64 times its parameters (the parameters grow with the square of the width), already
// more than a GPU trains with Adam's state. Larger widths are refused rather than cast to
// channel counts out of range.
constexpr double kMaxWidth = 8;

// The networks' spatial contract: the input's height and width must be multiples of
// kInputMultiple (three stride-2 convolutions, then one x2 upsampling), and the output is
// kOutputStride times smaller on each side.
constexpr int64_t kInputMultiple = 8;
constexpr int64_t kOutputStride = 4;

// Tensor-core-friendly channel counts the networks mark on their layers (nn::ChannelPadding),
// used only while the nn::settings() padding switches are on: the first convolution's single
// input channel (L) padded to kPaddedInputChannels, and the classification head's 313 outputs
// computed up to a multiple of kHeadChannelMultiple (320). Results and state dicts are the
// same either way.
constexpr int64_t kPaddedInputChannels = 8;
constexpr int64_t kHeadChannelMultiple = 8;

// How a network normalises its input and encodes its regression targets; both are affine:
//   input = (L - l_center) / l_scale          (L in [0, 100])
//   encoded ab = (ab + ab_offset) / ab_scale  (ab in Lab units)
struct ColorEncoding {
  double l_center = 0, l_scale = 100;
  double ab_offset = 0, ab_scale = 110;
};

class ColorizerModel : public nn::Module {
 public:
  ColorizerModel(std::string name, Head head, double width, ColorEncoding encoding);

  const std::string& name() const { return name_; }  // "seed", "eccv16"
  Head head() const { return head_; }
  double width() const { return width_; }
  const ColorEncoding& encoding() const { return encoding_; }
  int64_t output_channels() const;  // 313 (classification) or 2 (regression)

  // L: (N, 1, H, W) float32/float64 in Lab units (0..100), H and W positive multiples of 8.
  // Normalises the input itself (as the public eccv16 port does), so callers always pass raw
  // L. Returns (N, 313, H/4, W/4) logits or (N, 2, H/4, W/4) encoded ab (the regression head),
  // in L's dtype (float32 also under nn::settings().autocast_bfloat16).
  // A wrong rank, channel count, size or dtype is a tint::Error naming the model and shape.
  Tensor forward(const Tensor& L) final;

  // The network's own input normalisation (what forward applies first); differentiable.
  Tensor normalize_input(const Tensor& L) const;
  // Regression head only (a tint::Error for a classification model): the head's output (any
  // shape, channel dim holding a, b) to ab in Lab units and back. Both are affine and
  // differentiable, so l2_color_loss(decode_regression(out), ab) is the report's eq. 1.
  Tensor decode_regression(const Tensor& out) const;
  Tensor encode_regression_target(const Tensor& ab) const;
  // ab in Lab units at the output's resolution (N, 2, H/4, W/4), without gradient:
  // classification by the annealed mean (kernels/annealed_mean.h) at the given temperature
  // (Zhang's and the report's 0.38), regression by decode_regression (temperature unused).
  Tensor decode(const Tensor& out, double temperature = color::kAnnealedTemperature) const;

  // The parameters an optimizer should update: all of them, except fixed ones a network
  // keeps only for its state-dict layout (eccv16's model_out.weight).
  virtual NamedParameters trainable_parameters() const { return named_parameters(); }

 protected:
  // The layers proper, on the normalised input (checked by forward).
  virtual Tensor forward_normalized(const Tensor& x) = 0;

 private:
  void check_input(const Tensor& L) const;

  std::string name_;
  Head head_;
  double width_;
  ColorEncoding encoding_;
};

// Appends, for each step channels[i] -> channels[i + 1], a 3x3 convolution (with bias,
// padding = dilation, so only a stride changes the size) and a ReLU; the last convolution
// has stride last_stride. Channel counts are taken as given (already scaled).
void append_conv_relu(nn::Sequential& block, const std::vector<int64_t>& channels,
                      int64_t last_stride, int64_t dilation, Generator& gen);

// Block `index` (0..6) of the VGG-like trunk both networks share: 3x3 conv+ReLU steps
// (block 1: 1->64, 64->64/s2; 2: 128, 128/s2; 3: 256 x2, 256/s2; 4: 512 x3; 5 and 6: 512 x3
// dilation 2; 7: 512 -> block7_out x3), channels scaled by width, closed by a BatchNorm.
// Block 0's first convolution is marked to pad its input to kPaddedInputChannels.
std::shared_ptr<nn::Sequential> trunk_block(int index, double width, int64_t block7_out,
                                            Generator& gen);

// PyTorch's state_dict order (per module: its own parameters, its own buffers, then each
// child in registration order), with each entry's shape. Module::state_dict() is a map
// sorted by name; this is the order torch prints and the fixtures list.
std::vector<std::pair<std::string, Shape>> state_dict_layout(const nn::Module& module);

}  // namespace tint::models
