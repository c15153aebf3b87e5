// torchvision's VGG16 (configuration "D", no batch norm) with exactly torchvision's module
// structure, so a state dict converted from torchvision.models.vgg16 loads unchanged:
// features.0 ... features.28 (13 conv3x3 + ReLU, 5 max pools at 4, 9, 16, 23, 30), avgpool
// (adaptive average pool to 7x7), classifier.0 / .3 / .6 (Linear 25088-4096-4096-1000 with
// ReLU and Dropout(0.5) between). Input (N, 3, H, W) float RGB in [0, 1], normalised inside
// with ImageNet's mean and std (torchvision's transforms); ImageNet weights expect 224x224.
// Any H, W >= 32 runs (the adaptive pool maps the features to 7x7, as in torchvision).
// width scales every channel count and the hidden Linear size (1: torchvision's network;
// smaller widths keep the names and exist for cheap tests). Weights start with tint's default
// layer initialisation: the network is meant to be loaded, not trained.
#pragma once

#include <cstdint>
#include <memory>

#include "framework/tint.h"

namespace tint::models {

class Vgg16 : public nn::Module {
 public:
  static constexpr int64_t kInputSize = 224;
  static constexpr int64_t kClasses = 1000;

  explicit Vgg16(double width = 1.0, Generator& gen = default_generator());
  // (N, 1000) ImageNet logits.
  Tensor forward(const Tensor& rgb) override;
  double width() const { return width_; }
  // features.0's output channels at a width (64 at width 1), for telling a width from weights.
  static int64_t first_channels(double width);

 private:
  double width_;
  std::shared_ptr<nn::Sequential> features_, classifier_;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool_;
};

}  // namespace tint::models
