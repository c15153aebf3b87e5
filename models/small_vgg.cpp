// The small VGG-like classifier and the ImageNet normalisation it shares with models/vgg16.
#include "models/small_vgg.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tint::models {

Tensor normalize_imagenet(const Tensor& rgb) {
  TINT_CHECK(rgb.defined() && rgb.dim() == 4 && rgb.size(1) == 3,
             "normalize_imagenet: expected RGB images of shape (N, 3, H, W), got ",
             rgb.defined() ? shape_str(rgb.shape()) : std::string("an undefined tensor"));
  const Tensor mean = from_vector(std::vector<double>{0.485, 0.456, 0.406}, {1, 3, 1, 1})
                          .to(rgb.device(), rgb.dtype());
  const Tensor inv_std =
      from_vector(std::vector<double>{1 / 0.229, 1 / 0.224, 1 / 0.225}, {1, 3, 1, 1})
          .to(rgb.device(), rgb.dtype());
  return (rgb - mean) * inv_std;
}

namespace {

int64_t scaled(int64_t channels, double width) {
  return std::max<int64_t>(1, std::llround(static_cast<double>(channels) * width));
}

void add_conv_bn_relu(nn::Sequential& seq, int64_t in, int64_t out, Generator& gen) {
  seq.push_back(std::make_shared<nn::Conv2d>(in, out, Pair(3), Conv2dOptions{1, 1, 1}, false, gen));
  seq.push_back(std::make_shared<nn::BatchNorm2d>(out));
  seq.push_back(std::make_shared<nn::ReLU>());
}

}  // namespace

SmallVgg::SmallVgg(int64_t num_classes, double width, Generator& gen)
    : num_classes_(num_classes), width_(width) {
  TINT_CHECK(num_classes >= 1, "SmallVgg: num_classes must be >= 1, got ", num_classes);
  TINT_CHECK(std::isfinite(width) && width > 0 && width <= kMaxWidth,
             "SmallVgg: width must be a number in (0, ", kMaxWidth, "], got ", width);
  const int64_t c1 = scaled(32, width), c2 = scaled(64, width), c3 = scaled(128, width);
  features_ = register_module("features", std::make_shared<nn::Sequential>());
  auto pool = [] { return std::make_shared<nn::MaxPool2d>(MaxPool2dOptions{2}); };
  add_conv_bn_relu(*features_, 3, c1, gen);
  features_->push_back(pool());
  add_conv_bn_relu(*features_, c1, c2, gen);
  features_->push_back(pool());
  add_conv_bn_relu(*features_, c2, c3, gen);
  add_conv_bn_relu(*features_, c3, c3, gen);
  features_->push_back(pool());
  classifier_ = register_module("classifier", std::make_shared<nn::Linear>(c3, num_classes, true, gen));
}

Tensor SmallVgg::forward(const Tensor& rgb) {
  TINT_CHECK(rgb.defined() && rgb.dim() == 4 && rgb.size(1) == 3 && rgb.size(2) > 0 &&
                 rgb.size(2) % kDownsampling == 0 && rgb.size(3) > 0 &&
                 rgb.size(3) % kDownsampling == 0,
             "SmallVgg: expected RGB images (N, 3, H, W) with H and W multiples of ",
             kDownsampling, ", got ",
             rgb.defined() ? shape_str(rgb.shape()) : std::string("an undefined tensor"));
  const Tensor f = (*features_)(normalize_imagenet(rgb));
  return (*classifier_)(mean(mean(f, 3), 2));
}

}  // namespace tint::models
