// The course report's network (see seed.h for the blocks and the choices the report leaves
// open: block 8 without BN/Dropout, the regression head's bias and sigmoid).
#include "models/seed.h"

#include "framework/core/random_math.h"
#include "framework/ops/elementwise.h"

namespace tint::models {

namespace {

// Input L / 100; regression targets (ab + 128) / 255 (reference notes, "Colour space").
constexpr ColorEncoding kSeedEncoding{0.0, 100.0, 128.0, 255.0};

}  // namespace

Seed::Seed(Head head, double width, Generator& gen)
    : ColorizerModel("seed", head, width, kSeedEncoding) {
  auto c = [&](int64_t channels) { return scaled_channels(channels, width); };
  for (int i = 0; i < 7; ++i) {
    auto block = trunk_block(i, width, 256, gen);
    // Seeded from gen (not the default generator), so the model's seed fixes its masks.
    block->push_back(std::make_shared<nn::Dropout>(kDropout, rnd::bits(gen.seed(), gen.take(1))));
    blocks_[i] = register_module("model" + std::to_string(i + 1), block);
  }

  auto model8 = std::make_shared<nn::Sequential>();
  model8->push_back(std::make_shared<nn::Upsample>(UpsampleSize::scale(2.0)));
  append_conv_relu(*model8, {c(256), c(128), c(128), c(128)}, 1, 1, gen);
  blocks_[7] = register_module("model8", model8);

  // Classification without a bias (the course variant's head, reference notes); regression
  // with one, so the sigmoid can settle where the data's mean ab sits without the trunk's
  // help (grey, ab = 0, encodes to 128/255).
  const bool regression = head == Head::Regression;
  head_ = register_module(
      "head", std::make_shared<nn::Conv2d>(c(128), output_channels(), Pair(1), Conv2dOptions{},
                                           /*bias=*/regression, gen));
  if (!regression) head_->set_channel_padding({.output_multiple = kHeadChannelMultiple});
}

Tensor Seed::forward_normalized(const Tensor& x) {
  Tensor h = x;
  for (const auto& block : blocks_) h = (*block)(h);
  h = (*head_)(h);
  return head() == Head::Regression ? sigmoid(h) : h;
}

}  // namespace tint::models
