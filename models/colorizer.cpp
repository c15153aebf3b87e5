// The shared part of the colorization networks: input checks, normalisation, regression
// encoding, decoding, width scaling and the PyTorch-ordered state-dict layout.
#include "models/colorizer.h"

#include <cmath>
#include <functional>

#include "framework/autograd/grad_mode.h"
#include "framework/core/error.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/mixed_precision.h"
#include "kernels/ab_bins.h"
#include "kernels/annealed_mean.h"

namespace tint::models {

std::string head_name(Head head) {
  return head == Head::Classification ? "classification" : "regression";
}

Head parse_head(const std::string& name) {
  if (name == "classification") return Head::Classification;
  if (name == "regression") return Head::Regression;
  TINT_FAIL("unknown head '", name, "'; the heads are: classification, regression");
}

int64_t scaled_channels(int64_t channels, double width) {
  TINT_CHECK(std::isfinite(width) && width > 0 && width <= kMaxWidth,
             "width multiplier must be a number in (0, ", kMaxWidth, "], got ", width);
  // floor(x + 0.5), halves rounding up: the formula make_model_fixtures.py uses too (Python's
  // round() would send halves to even), so shapes agree for every width.
  const double scaled = std::floor(double(channels) * width + 0.5);
  return std::max<int64_t>(1, static_cast<int64_t>(scaled));
}

ColorizerModel::ColorizerModel(std::string name, Head head, double width, ColorEncoding encoding)
    : name_(std::move(name)), head_(head), width_(width), encoding_(encoding) {
  TINT_CHECK(std::isfinite(width) && width > 0 && width <= kMaxWidth, name_,
             ": width multiplier must be a number in (0, ", kMaxWidth, "], got ", width);
}

int64_t ColorizerModel::output_channels() const {
  return head_ == Head::Classification ? color::kNumBins : 2;
}

void ColorizerModel::check_input(const Tensor& L) const {
  TINT_CHECK(L.defined(), name_, ": the input L is an undefined tensor");
  TINT_CHECK(L.dtype() == DType::Float32 || L.dtype() == DType::Float64, name_,
             ": the input L must be float32 or float64, got ", dtype_name(L.dtype()));
  const Shape& s = L.shape();
  TINT_CHECK(s.size() == 4 && s[1] == 1, name_, ": the input must be L as (N, 1, H, W), got ",
             shape_str(s));
  // Three stride-2 convolutions and one x2 upsampling: only multiples of 8 come out at
  // exactly H/4 x W/4 (others would silently lose a row or column on the way down).
  TINT_CHECK(
      s[0] > 0 && s[2] > 0 && s[3] > 0 && s[2] % kInputMultiple == 0 && s[3] % kInputMultiple == 0,
      name_, ": the input height and width must be positive multiples of ", kInputMultiple,
      " (the output is H/", kOutputStride, " x W/", kOutputStride, "), got ", shape_str(s));
}

Tensor ColorizerModel::forward(const Tensor& L) {
  check_input(L);
  // Under nn::settings().autocast_bfloat16 the layers compute in bfloat16; the losses and
  // decoders take float32, so the output leaves the network as float32.
  return float32_if_bfloat16(forward_normalized(normalize_input(L)));
}

Tensor ColorizerModel::normalize_input(const Tensor& L) const {
  return (L - encoding_.l_center) / encoding_.l_scale;
}

Tensor ColorizerModel::decode_regression(const Tensor& out) const {
  TINT_CHECK(head_ == Head::Regression, name_,
             ": decode_regression needs the regression head; decode classification logits "
             "with decode() (the annealed mean)");
  return out * encoding_.ab_scale - encoding_.ab_offset;
}

Tensor ColorizerModel::encode_regression_target(const Tensor& ab) const {
  TINT_CHECK(head_ == Head::Regression, name_,
             ": encode_regression_target needs the regression head; classification targets "
             "are soft-encoded by the loss");
  return (ab + encoding_.ab_offset) / encoding_.ab_scale;
}

Tensor ColorizerModel::decode(const Tensor& out, double temperature) const {
  TINT_CHECK(out.defined() && out.dim() == 4 && out.size(1) == output_channels(), name_,
             ": decode expects the network's output (N, ", output_channels(), ", h, w), got ",
             out.defined() ? shape_str(out.shape()) : std::string("an undefined tensor"));
  NoGradGuard no_grad;
  if (head_ == Head::Classification) return color::annealed_mean(out.detach(), temperature);
  return decode_regression(out.detach());
}

void append_conv_relu(nn::Sequential& block, const std::vector<int64_t>& channels,
                      int64_t last_stride, int64_t dilation, Generator& gen) {
  for (size_t i = 0; i + 1 < channels.size(); ++i) {
    const int64_t stride = i + 2 == channels.size() ? last_stride : 1;
    block.push_back(std::make_shared<nn::Conv2d>(channels[i], channels[i + 1], Pair(3),
                                                 Conv2dOptions{stride, dilation, dilation},
                                                 /*bias=*/true, gen));
    block.push_back(std::make_shared<nn::ReLU>());
  }
}

std::vector<std::pair<std::string, Shape>> state_dict_layout(const nn::Module& module) {
  std::vector<std::pair<std::string, Shape>> out;
  // A module's own entries are those of its named_parameters / named_buffers without a '.'
  // (children's names always have one); then each child, recursively, under its prefix.
  std::function<void(const nn::Module&, const std::string&)> visit =
      [&](const nn::Module& m, const std::string& prefix) {
        for (const auto& [name, t] : m.named_parameters())
          if (name.find('.') == std::string::npos) out.emplace_back(prefix + name, t.shape());
        for (const auto& [name, t] : m.named_buffers())
          if (name.find('.') == std::string::npos) out.emplace_back(prefix + name, t.shape());
        for (const auto& [name, child] : m.named_children()) visit(*child, prefix + name + ".");
      };
  visit(module, "");
  return out;
}

std::shared_ptr<nn::Sequential> trunk_block(int index, double width, int64_t block7_out,
                                            Generator& gen) {
  TINT_CHECK(index >= 0 && index < 7, "trunk_block: block index ", index, " is not in 0..6");
  auto c = [&](int64_t channels) { return scaled_channels(channels, width); };
  struct Spec {
    std::vector<int64_t> channels;
    int64_t last_stride, dilation;
  };
  const Spec specs[7] = {
      {{1, c(64), c(64)}, 2, 1},
      {{c(64), c(128), c(128)}, 2, 1},
      {{c(128), c(256), c(256), c(256)}, 2, 1},
      {{c(256), c(512), c(512), c(512)}, 1, 1},
      {{c(512), c(512), c(512), c(512)}, 1, 2},
      {{c(512), c(512), c(512), c(512)}, 1, 2},
      {{c(512), c(block7_out), c(block7_out), c(block7_out)}, 1, 1},
  };
  const Spec& spec = specs[index];
  auto block = std::make_shared<nn::Sequential>();
  append_conv_relu(*block, spec.channels, spec.last_stride, spec.dilation, gen);
  if (index == 0)
    std::dynamic_pointer_cast<nn::Conv2d>((*block)[0])
        ->set_channel_padding({.input_channels = kPaddedInputChannels});
  block->push_back(std::make_shared<nn::BatchNorm2d>(spec.channels.back()));
  return block;
}

}  // namespace tint::models
