// RgbImage <-> uint8 tensor copies (image_tensor.h).
#include "image_tensor.h"

#include <algorithm>

#include "framework/core/error.h"
#include "framework/tensor/factories.h"

namespace tint::apps {

Tensor image_tensor(const RgbImage& image, Device device) {
  return from_buffer(image.pixels.data(), {image.height, image.width, 3}, DType::UInt8, device);
}

std::vector<RgbImage> images_of(const Tensor& rgb8) {
  TINT_CHECK(rgb8.defined() && rgb8.dim() == 4 && rgb8.size(3) == 3 &&
                 rgb8.dtype() == DType::UInt8,
             "images_of: expected uint8 images (N, H, W, 3), got ",
             rgb8.defined() ? describe(rgb8) : "an undefined tensor");
  const Tensor cpu = rgb8.cpu().contiguous();
  const int64_t n = cpu.size(0), h = cpu.size(1), w = cpu.size(2);
  std::vector<RgbImage> out;
  out.reserve(static_cast<size_t>(n));
  const uint8_t* p = cpu.data<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    RgbImage img(static_cast<int>(w), static_cast<int>(h));
    std::copy_n(p + i * h * w * 3, h * w * 3, img.pixels.data());
    out.push_back(std::move(img));
  }
  return out;
}

}  // namespace tint::apps
