// A folder of images for the apps: the image files under a root (recursive, by extension
// .jpg .jpeg .png .bmp .tga in any case, sorted by path so runs are reproducible), each
// decoded with stb_image to uint8 RGB (grey expanded, alpha composited over a background).
// A file that does not decode (stb_image refuses truncated JPEGs and PNGs too), is not a
// regular file, or is larger than the limits below is skipped with one warning naming it and
// counted, so one bad file does not end a long run.
// The training pipeline (splits, crops, augmentation, batches) builds on this:
// apps/support/dataset.h.
//
// Limits. An image over max_pixels pixels (width x height; default 100 million, the apps'
// --max-pixels) is refused from its header, before it is decoded: decoding needs about
// 4 bytes a pixel and the apps' work on an image many times that. Its file may hold at most
// 8 bytes per allowed pixel (16-bit RGBA, uncompressed) plus 16 MiB of metadata, and at most
// 2 GiB - 1 (stb_image's limit); a larger file is refused before it is read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "image_io.h"

namespace tint::apps {

inline constexpr int64_t kDefaultMaxPixels = 100'000'000;
// The apps that decode images (colorize, evaluate, compute_prior, train_colorizer,
// train_classifier) set max_pixels with --max-pixels N (flag_checks.h add_max_pixels_flag;
// its range is setting_limits.h kMaxPixels).
inline constexpr const char* kMaxPixelsHelp =
    "refuse images of more than N pixels (width x height), read from the file's header before "
    "it is decoded (default 1e8: 100 megapixels)";
// The largest image file read for images of at most max_pixels pixels (see above).
uint64_t max_image_file_bytes(int64_t max_pixels);

// Prints "warning: <line>" on stderr unless this process printed the same line before (a
// folder is listed once per split, and each listing would repeat its warnings); returns
// whether it printed. Thread-safe. The default warning sink of ImageFolder, ImageDataset and
// list_image_files.
bool warn_once(const std::string& line);

// True when the path's extension is one of the image extensions above.
bool has_image_extension(const std::filesystem::path& path);

// The image files under root, recursively, sorted by path. Each file is listed once, however
// many paths lead to it (symbolic links, hard links, a linked folder reached twice): under
// the first of its paths in sorted order. Symbolic links to folders are followed (a linked
// subfolder elsewhere counts), except a link back to a folder above it: such a loop is left
// out with a warning naming the link. Also warned about and left out: a subfolder that cannot
// be read, a broken symbolic link, an image name that is not a regular file (a FIFO, a
// device); files reached again through another path are counted in one warning. warn gets
// each warning line (default: warn_once). A missing root, a root that is not a folder or
// cannot be read, or one without image files is a tint::Error naming it.
std::vector<std::filesystem::path> list_image_files(
    const std::string& root, const std::function<void(const std::string&)>& warn = {});

// Decodes one file to RGB. Grey and grey+alpha become R = G = B; alpha is composited over
// background (straight alpha: rgb * a + background * (1 - a)). A file that cannot be read
// (missing, not a regular file, over the size limit), one that is no image stb_image knows,
// is larger than max_pixels (checked from its header, before decoding), or holds truncated or
// corrupt data gives std::nullopt and, in *reason, why, as a phrase that follows "it"
// ("holds corrupt or truncated image data", "is not a regular file (a FIFO)", ...).
std::optional<RgbImage> decode_image(const std::filesystem::path& path,
                                     std::string* reason = nullptr,
                                     const uint8_t background[3] = nullptr,
                                     int64_t max_pixels = kDefaultMaxPixels);

// Resizes by area averaging (each output pixel is the mean of the input area it covers,
// fractional pixels weighted), which does not alias when shrinking; also enlarges.
RgbImage resize_area(const RgbImage& image, int width, int height);

class ImageFolder {
 public:
  using Warn = std::function<void(const std::string&)>;
  // Lists root (see list_image_files). warn receives the listing's warnings and one line per
  // skipped file; by default they go to stderr as "warning: ..." (warn_once).
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
  // Images over this many pixels are skipped (kDefaultMaxPixels by default).
  void set_max_pixels(int64_t max_pixels) { max_pixels_ = max_pixels; }

 private:
  std::string root_;
  std::vector<std::filesystem::path> files_;
  Warn warn_;
  int64_t skipped_ = 0;
  uint8_t background_[3] = {255, 255, 255};
  int64_t max_pixels_ = kDefaultMaxPixels;
};

}  // namespace tint::apps
