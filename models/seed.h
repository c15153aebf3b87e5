// The course report's network ("seed", ../shared/seed/colorization-report.txt, Figure 1):
// Zhang's blocks 1-6, each closed by BatchNorm and Dropout(0.1), a narrower block 7, and a
// nearest-upsampling block 8 instead of Zhang's deconvolution.
#pragma once

#include <array>
#include <memory>

#include "framework/core/generator.h"
#include "framework/nn/layers.h"
#include "models/colorizer.h"

namespace tint::models {

// Blocks (every 3x3 conv with padding = dilation and a bias, ReLU after each; channels scaled
// by the width multiplier), named like eccv16's so the two state dicts read alike:
//   model1..model6: as eccv16 (64, 64/s2 | 128, 128/s2 | 256 x2, 256/s2 | 512 x3 |
//                   512 x3 dil 2 | 512 x3 dil 2), each ending BN, Dropout(0.1)
//                   (e.g. model1.0, model1.2 convs, model1.4 BN, model1.5 Dropout)
//   model7: 512->256, 256->256, 256->256, BN, Dropout(0.1)
//   model8: nearest Upsample x2 (model8.0), then 256->128, 128->128, 128->128 (model8.1, .3,
//           .5), no BN or Dropout: the report's figure closes blocks 1-7 with them, and the
//           last block feeds the head directly, as in eccv16's model8
//   head: 1x1 conv 128->313 without bias (classification logits; marked to compute 320
//         channels under nn::settings().pad_output_channels), or 128->2 with bias then a
//         sigmoid (regression): the report encodes ab as (ab + 128) / 255 in [0, 1], and the
//         sigmoid keeps predictions in that range (decode_regression maps back to Lab units).
// Input normalisation L / 100. The output stays at H/4: the report's nearest x4 upsampling
// and softmax belong to the loss (TargetResolution::Full) and to decoding.
class Seed : public ColorizerModel {
 public:
  static constexpr double kDropout = 0.1;

  // PyTorch's default layer initialisation drawing from gen in registration order; each
  // Dropout takes its own seed from gen too, so one seed fixes weights and masks.
  explicit Seed(Head head = Head::Classification, double width = 1.0,
                Generator& gen = default_generator());

 protected:
  Tensor forward_normalized(const Tensor& x) override;

 private:
  std::array<std::shared_ptr<nn::Sequential>, 8> blocks_;
  std::shared_ptr<nn::Conv2d> head_;
};

}  // namespace tint::models
