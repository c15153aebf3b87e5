// torchvision's VGG16 layer by layer (models/vgg16.h).
#include "models/vgg16.h"

#include <algorithm>
#include <cmath>

#include "models/small_vgg.h"  // normalize_imagenet

namespace tint::models {

namespace {

int64_t scaled(int64_t channels, double width) {
  return std::max<int64_t>(1, std::llround(static_cast<double>(channels) * width));
}

}  // namespace

int64_t Vgg16::first_channels(double width) { return scaled(64, width); }

Vgg16::Vgg16(double width, Generator& gen) : width_(width) {
  TINT_CHECK(std::isfinite(width) && width > 0, "Vgg16: width must be a finite number > 0, got ",
             width);
  // torchvision's cfgs["D"]; 0 is a max pool.
  const int64_t config[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0,
                            512, 512, 512, 0, 512, 512, 512, 0};
  features_ = register_module("features", std::make_shared<nn::Sequential>());
  int64_t in = 3;
  for (int64_t c : config) {
    if (c == 0) {
      features_->push_back(std::make_shared<nn::MaxPool2d>(MaxPool2dOptions{2, 2}));
      continue;
    }
    const int64_t out = scaled(c, width);
    features_->push_back(
        std::make_shared<nn::Conv2d>(in, out, Pair(3), Conv2dOptions{1, 1, 1}, true, gen));
    features_->push_back(std::make_shared<nn::ReLU>());
    in = out;
  }
  avgpool_ = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(7, 7));
  const int64_t hidden = scaled(4096, width);
  classifier_ = register_module(
      "classifier",
      std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
          std::make_shared<nn::Linear>(in * 7 * 7, hidden, true, gen),
          std::make_shared<nn::ReLU>(),
          std::make_shared<nn::Dropout>(0.5),
          std::make_shared<nn::Linear>(hidden, hidden, true, gen),
          std::make_shared<nn::ReLU>(),
          std::make_shared<nn::Dropout>(0.5),
          std::make_shared<nn::Linear>(hidden, kClasses, true, gen),
      }));
}

Tensor Vgg16::forward(const Tensor& rgb) {
  TINT_CHECK(rgb.defined() && rgb.dim() == 4 && rgb.size(1) == 3 && rgb.size(2) >= 32 &&
                 rgb.size(3) >= 32,
             "Vgg16: expected RGB images (N, 3, H, W) with H, W >= 32 (224 for ImageNet "
             "weights), got ",
             rgb.defined() ? shape_str(rgb.shape()) : std::string("an undefined tensor"));
  const Tensor f = (*avgpool_)((*features_)(normalize_imagenet(rgb)));
  return (*classifier_)(f.reshape({f.size(0), -1}));
}

}  // namespace tint::models
