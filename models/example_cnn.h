// A small example problem for the framework before the colorization models: images of a
// bar (horizontal, vertical, diagonal or anti-diagonal) in noise, and a 3-layer CNN that
// classifies them. Used by the training test and by apps/train_example.
#pragma once

#include <memory>

#include "framework/tint.h"

namespace tint::models {

struct LabelledImages {
  Tensor images;  // (N, 1, size, size) float32
  Tensor labels;  // (N) int64 in [0, 4)
};

constexpr int64_t kBarClasses = 4;

// n images of size x size (size >= 6), each a random bar of one of the four orientations at
// a random offset, plus Gaussian noise of std 0.3.
LabelledImages make_bar_images(int64_t n, int64_t size, Generator& gen);

// conv3x3(1->w) BN ReLU, conv3x3/s2(w->2w) BN ReLU, conv1x1(2w->4); the logits are the
// spatial mean of the last layer.
class ExampleCnn : public nn::Module {
 public:
  explicit ExampleCnn(int64_t width = 8, Generator& gen = default_generator());
  Tensor forward(const Tensor& images) override;  // (N, 4) logits

 private:
  std::shared_ptr<nn::Sequential> features_;
};

// The share of data's images the model classifies right, in eval mode (which it leaves set)
// without gradients, on the model's device.
double classification_accuracy(ExampleCnn& model, const LabelledImages& data, Device device);

}  // namespace tint::models
