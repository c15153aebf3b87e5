// Zhang et al.'s ECCV 2016 colorization network with the module structure and state-dict
// names of the public PyTorch port (richzhang/colorization, colorizers/eccv16.py), so its
// released weights, converted to safetensors, load unchanged (strict). The reference list of
// names and shapes is tests/fixtures/eccv16_state_dict.txt (make_model_fixtures.py).
#pragma once

#include <array>
#include <memory>

#include "framework/core/generator.h"
#include "framework/nn/layers.h"
#include "models/colorizer.h"

namespace tint::models {

// Blocks (every 3x3 conv with padding = dilation and a bias, ReLU after each; c = channels
// scaled by the width multiplier):
//   model1: conv 1->64, conv 64->64 /s2, BN          (names model1.0, model1.2, model1.4)
//   model2: 64->128, 128->128 /s2, BN
//   model3: 128->256, 256->256, 256->256 /s2, BN     (model3.0, .2, .4, BN model3.6)
//   model4: 256->512, 512->512, 512->512, BN
//   model5, model6: 512->512 x3, dilation 2, BN
//   model7: 512->512 x3, BN
//   model8: ConvTranspose 512->256 (4x4 /s2 pad 1), ReLU, conv 256->256, ReLU, conv 256->256,
//           ReLU, then the head model8.6: classification 1x1 256->313 (bias; marked to
//           compute 320 channels under nn::settings().pad_output_channels);
//           regression 1x1 256->2 (bias), linear, predicting ab / 110 (tint's choice; the
//           port has no regression head)
//   model_out (classification only): 1x1 313->2 without bias, fixed to the bin centres / 110
//           (the port's deploy decoding, port_decode); not trained.
// BatchNorm2d is PyTorch's default (affine, eps 1e-5, momentum 0.1), as in the port (Zhang's
// Caffe model had no learned scale/shift; the port carries weight = 1, bias = 0 for them).
// Input normalisation (L - 50) / 100; regression encoding ab / 110.
class Eccv16 : public ColorizerModel {
 public:
  // Layers initialise as PyTorch's defaults (kaiming_uniform a = sqrt(5), uniform biases),
  // drawing from gen in registration order. width > 0 scales every hidden channel count.
  explicit Eccv16(Head head = Head::Classification, double width = 1.0,
                  Generator& gen = default_generator());

  // The port's deploy path at the logits' resolution: 110 * model_out(softmax(logits)),
  // (N, 2, h, w) ab in Lab units (the port then upsamples bilinearly x4). With the fresh
  // model_out weights that is the plain mean of the bins (annealed mean at T = 1); use it for
  // Zhang's released weights, which carry their own model_out (and, as far as known, the
  // 2.606 = 1/0.38 annealing folded into model8.6). Classification only; no gradient.
  Tensor port_decode(const Tensor& logits) const;

  // Everything but model_out.weight.
  NamedParameters trainable_parameters() const override;

 protected:
  Tensor forward_normalized(const Tensor& x) override;

 private:
  std::array<std::shared_ptr<nn::Sequential>, 8> blocks_;
  std::shared_ptr<nn::Conv2d> model_out_;  // null for the regression head
};

}  // namespace tint::models
