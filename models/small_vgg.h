// The image classifier trained by apps/train_classifier ("small-vgg"): a small VGG-like CNN
// for RGB images, used to score colorizations by whether a classifier still recognises them.
// Input (N, 3, S, S) float RGB in [0, 1], S a multiple of 8; the network normalises it with
// ImageNet's mean and std itself. Three stages of conv3x3-BN-ReLU (one, one, two convs) each
// followed by a 2x2 max pool, a global average pool, and a Linear to the classes. A width
// multiplier scales every hidden layer (width 1: 32, 64, 128 channels).
#pragma once

#include <cstdint>
#include <memory>

#include "framework/tint.h"

namespace tint::models {

// (x - mean) / std per channel with ImageNet's statistics (torchvision's), for (N, 3, H, W)
// RGB in [0, 1] on any device and floating dtype.
Tensor normalize_imagenet(const Tensor& rgb);

class SmallVgg : public nn::Module {
 public:
  static constexpr int64_t kDownsampling = 8;  // the input side must be a multiple of it
  // The largest width multiplier (256, 512, 1024 channels): larger ones are refused rather
  // than cast to channel counts out of range.
  static constexpr double kMaxWidth = 8;

  // num_classes >= 1; width a number in (0, kMaxWidth] (tint::Error otherwise).
  SmallVgg(int64_t num_classes, double width = 1.0, Generator& gen = default_generator());
  // (N, num_classes) logits.
  Tensor forward(const Tensor& rgb) override;
  int64_t num_classes() const { return num_classes_; }
  double width() const { return width_; }

 private:
  int64_t num_classes_;
  double width_;
  std::shared_ptr<nn::Sequential> features_;
  std::shared_ptr<nn::Linear> classifier_;
};

}  // namespace tint::models
