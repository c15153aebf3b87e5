// Zhang's eccv16 network in the public PyTorch port's layout (see eccv16.h for the blocks and
// the choices beyond the port: the width multiplier, the regression head).
#include "models/eccv16.h"

#include "framework/autograd/grad_mode.h"
#include "framework/core/error.h"
#include "framework/ops/conv.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/softmax.h"
#include "kernels/ab_bins.h"

namespace tint::models {

namespace {

// The port's constants: BaseColor.l_cent, l_norm and ab_norm.
constexpr ColorEncoding kEccv16Encoding{50.0, 100.0, 0.0, 110.0};

}  // namespace

Eccv16::Eccv16(Head head, double width, Generator& gen)
    : ColorizerModel("eccv16", head, width, kEccv16Encoding) {
  auto c = [&](int64_t channels) { return scaled_channels(channels, width); };
  for (int i = 0; i < 7; ++i) {
    auto block = trunk_block(i, width, 512, gen);
    blocks_[i] = register_module("model" + std::to_string(i + 1), block);
  }

  // model8: the x2 deconvolution back to H/4, two convs, and the head as model8.6.
  auto model8 = std::make_shared<nn::Sequential>();
  model8->push_back(std::make_shared<nn::ConvTranspose2d>(
      c(512), c(256), Pair(4), ConvTranspose2dOptions{2, 1, 0, 1}, /*bias=*/true, gen));
  model8->push_back(std::make_shared<nn::ReLU>());
  append_conv_relu(*model8, {c(256), c(256), c(256)}, 1, 1, gen);
  auto head_conv = model8->push_back(std::make_shared<nn::Conv2d>(
      c(256), output_channels(), Pair(1), Conv2dOptions{}, /*bias=*/true, gen));
  if (head == Head::Classification)
    head_conv->set_channel_padding({.output_multiple = kHeadChannelMultiple});
  blocks_[7] = register_module("model8", model8);

  if (head == Head::Classification) {
    // The port's deploy decoding: softmax, then this 1x1 conv whose weights are the bin
    // centres, then x110 (unnormalize_ab), so the centres are stored divided by 110.
    model_out_ = register_module(
        "model_out", std::make_shared<nn::Conv2d>(color::kNumBins, 2, Pair(1), Conv2dOptions{},
                                                  /*bias=*/false, gen));
    Tensor w = model_out_->weight();
    NoGradGuard no_grad;
    const Tensor centres = color::AbBins::standard().centers();  // (313, 2): a, b
    w.copy_((centres.transpose(0, 1).contiguous() / kEccv16Encoding.ab_scale)
                .reshape({2, color::kNumBins, 1, 1}));
    // A constant, not a weight to learn: no gradient is ever recorded for it.
    w.set_requires_grad(false);
  }
}

Tensor Eccv16::forward_normalized(const Tensor& x) {
  Tensor h = x;
  for (const auto& block : blocks_) h = (*block)(h);
  return h;
}

Tensor Eccv16::port_decode(const Tensor& logits) const {
  TINT_CHECK(head() == Head::Classification,
             "eccv16: port_decode needs the classification head (313 logits)");
  TINT_CHECK(logits.defined() && logits.dim() == 4 && logits.size(1) == color::kNumBins,
             "eccv16: port_decode expects logits (N, 313, h, w), got ",
             logits.defined() ? shape_str(logits.shape()) : std::string("an undefined tensor"));
  NoGradGuard no_grad;
  return conv2d(softmax(logits.detach(), 1), model_out_->weight()) * encoding().ab_scale;
}

NamedParameters Eccv16::trainable_parameters() const {
  NamedParameters out;
  for (auto& [name, p] : named_parameters())
    if (name != "model_out.weight") out.emplace_back(name, p);
  return out;
}

}  // namespace tint::models
