// Listing and decoding a folder of images (stb_image), and area resizing.
#include "image_folder.h"

#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>

#include "framework/core/error.h"

namespace tint::apps {

namespace fs = std::filesystem;

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".tga";
}

std::vector<fs::path> list_image_files(const std::string& root) {
  std::error_code ec;
  TINT_CHECK(fs::exists(root, ec), "image folder ", root, " does not exist");
  TINT_CHECK(fs::is_directory(root, ec), "image folder ", root, " is not a folder");
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(root,
                                      fs::directory_options::follow_directory_symlink |
                                          fs::directory_options::skip_permission_denied,
                                      ec);
  TINT_CHECK(!ec, "image folder ", root, " cannot be read: ", ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    TINT_CHECK(!ec, "image folder ", root, " cannot be read: ", ec.message());
    if (has_image_extension(it->path()) && it->is_regular_file(ec)) files.push_back(it->path());
  }
  TINT_CHECK(
      !files.empty(), "image folder ", root,
      " holds no image files (looked for .jpg, .jpeg, .png, .bmp and .tga, in subfolders too)");
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<RgbImage> decode_image(const fs::path& path, std::string* reason,
                                     const uint8_t background[3]) {
  static const uint8_t kWhite[3] = {255, 255, 255};
  if (!background) background = kWhite;
  const auto fail = [&](const std::string& why) {
    if (reason) *reason = why;
    return std::nullopt;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::string("cannot be opened: ") + std::strerror(errno));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail("reading it failed");
  const auto* raw = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int size = static_cast<int>(std::min<size_t>(bytes.size(), INT32_MAX));
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(raw, size, &w, &h, &channels))
    return fail("not a JPEG, PNG, BMP or TGA image that stb_image can read");
  // Decode with the file's own channel count so alpha can be composited, not just dropped.
  std::unique_ptr<stbi_uc, void (*)(void*)> data(
      stbi_load_from_memory(raw, size, &w, &h, &channels, 0), stbi_image_free);
  // (stb's own failure reason is left out: after a failed decode it often names another
  // format's signature check.)
  if (!data) return fail("corrupt or truncated image data");
  if (w <= 0 || h <= 0 || channels < 1 || channels > 4)
    return fail("unsupported image layout (" + std::to_string(channels) + " channels)");
  RgbImage image(w, h);
  const stbi_uc* src = data.get();
  const size_t pixels = size_t(w) * h;
  for (size_t i = 0; i < pixels; ++i, src += channels) {
    const bool grey = channels <= 2;
    const int alpha = (channels == 2 || channels == 4) ? src[channels - 1] : 255;
    uint8_t* dst = &image.pixels[i * 3];
    for (int c = 0; c < 3; ++c) {
      const int v = grey ? src[0] : src[c];
      // Rounded (v * a + bg * (255 - a)) / 255, exact for a = 0 and a = 255.
      dst[c] = static_cast<uint8_t>((v * alpha + background[c] * (255 - alpha) + 127) / 255);
    }
  }
  return image;
}

RgbImage resize_area(const RgbImage& image, int width, int height) {
  TINT_CHECK(width > 0 && height > 0 && image.width > 0 && image.height > 0,
             "resize_area: sizes must be positive, got ", image.width, "x", image.height, " -> ",
             width, "x", height);
  if (width == image.width && height == image.height) return image;
  // Per output column/row: the covered input span [lo, hi) in input pixels.
  const double sx = double(image.width) / width, sy = double(image.height) / height;
  RgbImage out(width, height);
  for (int y = 0; y < height; ++y) {
    const double y0 = y * sy, y1 = (y + 1) * sy;
    for (int x = 0; x < width; ++x) {
      const double x0 = x * sx, x1 = (x + 1) * sx;
      double acc[3] = {0, 0, 0}, area = 0;
      for (int iy = int(y0); iy < std::min<int>(image.height, int(std::ceil(y1))); ++iy) {
        const double wy = std::min<double>(iy + 1, y1) - std::max<double>(iy, y0);
        if (wy <= 0) continue;
        for (int ix = int(x0); ix < std::min<int>(image.width, int(std::ceil(x1))); ++ix) {
          const double wx = std::min<double>(ix + 1, x1) - std::max<double>(ix, x0);
          if (wx <= 0) continue;
          const uint8_t* p = &image.pixels[(size_t(iy) * image.width + ix) * 3];
          for (int c = 0; c < 3; ++c) acc[c] += wx * wy * p[c];
          area += wx * wy;
        }
      }
      uint8_t* q = out.at(x, y);
      for (int c = 0; c < 3; ++c)
        q[c] = static_cast<uint8_t>(std::clamp(std::lround(acc[c] / area), 0L, 255L));
    }
  }
  return out;
}

ImageFolder::ImageFolder(const std::string& root, Warn warn)
    : root_(root), files_(list_image_files(root)), warn_(std::move(warn)) {
  if (!warn_)
    warn_ = [](const std::string& line) { std::fprintf(stderr, "warning: %s\n", line.c_str()); };
}

std::optional<RgbImage> ImageFolder::load(size_t i) {
  TINT_CHECK(i < files_.size(), "ImageFolder ", root_, ": image ", i, " requested, the folder has ",
             files_.size());
  std::string reason;
  std::optional<RgbImage> image = decode_image(files_[i], &reason, background_);
  if (!image) {
    ++skipped_;
    warn_("skipping " + files_[i].string() + ": not a readable image (" + reason + ")");
  }
  return image;
}

}  // namespace tint::apps
