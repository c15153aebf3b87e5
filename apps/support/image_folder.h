// A folder of images for the apps: the image files under a root (recursive, by extension
// .jpg .jpeg .png .bmp .tga in any case, sorted by path so runs are reproducible), each
// decoded with stb_image to uint8 RGB (grey expanded, alpha composited over a background).
// A file that does not decode (stb_image refuses truncated JPEGs and PNGs too) is skipped
// with one warning naming it and counted, so one corrupt file does not end a long run.
// The training pipeline (splits, crops, augmentation, batches) builds on this:
// apps/support/dataset.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "image_io.h"

namespace tint::apps {

// True when the path's extension is one of the image extensions above.
bool has_image_extension(const std::filesystem::path& path);

// The image files under root, recursively, sorted. A missing root, a root that is not a
// folder, or one without image files is a tint::Error naming it.
std::vector<std::filesystem::path> list_image_files(const std::string& root);

// Decodes one file to RGB. Grey and grey+alpha become R = G = B; alpha is composited over
// background (straight alpha: rgb * a + background * (1 - a)). An unreadable file, one that
// is no image stb_image knows, or truncated or corrupt data gives std::nullopt and, in
// *reason, why in a few words.
std::optional<RgbImage> decode_image(const std::filesystem::path& path,
                                     std::string* reason = nullptr,
                                     const uint8_t background[3] = nullptr);

// Resizes by area averaging (each output pixel is the mean of the input area it covers,
// fractional pixels weighted), which does not alias when shrinking; also enlarges.
RgbImage resize_area(const RgbImage& image, int width, int height);

class ImageFolder {
 public:
  using Warn = std::function<void(const std::string&)>;
  // Lists root (see list_image_files). warn receives one line per skipped file; by default
  // it goes to stderr as "warning: ...".
  explicit ImageFolder(const std::string& root, Warn warn = {});

  const std::string& root() const { return root_; }
  size_t size() const { return files_.size(); }
  const std::vector<std::filesystem::path>& files() const { return files_; }
  // Decodes file i; an unreadable file gives std::nullopt, one warning and skipped() + 1.
  std::optional<RgbImage> load(size_t i);
  int64_t skipped() const { return skipped_; }
  // RGB used under transparent pixels (white by default, as viewers show cut-outs).
  void set_background(uint8_t r, uint8_t g, uint8_t b) {
    background_[0] = r, background_[1] = g, background_[2] = b;
  }

 private:
  std::string root_;
  std::vector<std::filesystem::path> files_;
  Warn warn_;
  int64_t skipped_ = 0;
  uint8_t background_[3] = {255, 255, 255};
};

}  // namespace tint::apps
