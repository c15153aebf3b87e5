// PNG output for the apps (stb_image_write): images are uint8 RGB, row-major HWC. Files are
// written atomically (temp file, then rename), so an existing file is never half-written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tint::apps {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // height * width * 3
  RgbImage() = default;
  RgbImage(int w, int h, uint8_t fill = 0) : width(w), height(h), pixels(size_t(w) * h * 3, fill) {}
  uint8_t* at(int x, int y) { return &pixels[(size_t(y) * width + x) * 3]; }
};

void write_png(const std::string& path, const RgbImage& image);

}  // namespace tint::apps
