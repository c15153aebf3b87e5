// RgbImage <-> uint8 tensors for the apps: an image as an (H, W, 3) tensor on a device, and a
// batch (N, H, W, 3) on any device back as N images.
#pragma once

#include <vector>

#include "framework/core/device.h"
#include "framework/tensor/tensor.h"
#include "image_io.h"

namespace tint::apps {

// (H, W, 3) uint8 tensor of the image's pixels on device.
Tensor image_tensor(const RgbImage& image, Device device);
// Each image of a uint8 (N, H, W, 3) tensor (on any device; copied to the host), in order.
std::vector<RgbImage> images_of(const Tensor& rgb8);

}  // namespace tint::apps
