// Listing a folder of images (each file once, loops and unreadable folders warned about),
// decoding within the limits (stb_image), and area resizing.
#include "image_folder.h"

#include <stb_image.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <system_error>

#include "framework/core/error.h"
#include "framework/io/input_file.h"

namespace tint::apps {

namespace fs = std::filesystem;

uint64_t max_image_file_bytes(int64_t max_pixels) {
  constexpr uint64_t kStbLimit = INT32_MAX;  // stb_image reads from memory with an int length
  constexpr uint64_t kMetadata = 16ull << 20;
  const uint64_t pixels = max_pixels > 0 ? static_cast<uint64_t>(max_pixels) : 0;
  if (pixels > (kStbLimit - kMetadata) / 8) return kStbLimit;
  return 8 * pixels + kMetadata;
}

bool warn_once(const std::string& line) {
  static std::mutex mutex;
  static std::set<std::string> printed;
  std::lock_guard<std::mutex> lock(mutex);
  if (!printed.insert(line).second) return false;
  std::fprintf(stderr, "warning: %s\n", line.c_str());
  return true;
}

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".tga";
}

namespace {

// A file's identity whatever the path to it (symbolic links, hard links, bind mounts).
using FileId = std::pair<uint64_t, uint64_t>;  // device, inode
FileId file_id(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

const char* file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

bool is_link_path(const fs::path& path) {
  struct stat link {};
  return ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
}

// The entries of a folder sorted by path, or nullopt (and *error) when it cannot be read.
std::optional<std::vector<fs::path>> sorted_entries(const fs::path& dir, std::string* error) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(it->path());
  if (ec) {
    *error = ec.message();
    return std::nullopt;
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

}  // namespace

std::vector<fs::path> list_image_files(const std::string& root,
                                       const std::function<void(const std::string&)>& warn_to) {
  const std::function<void(const std::string&)> warn =
      warn_to ? warn_to : [](const std::string& line) { warn_once(line); };
  std::error_code ec;
  TINT_CHECK(fs::exists(root, ec), "image folder ", root, " does not exist");
  TINT_CHECK(fs::is_directory(root, ec), "image folder ", root, " is not a folder");
  struct stat root_stat {};
  TINT_CHECK(::stat(root.c_str(), &root_stat) == 0, "image folder ", root,
             " cannot be read: ", std::strerror(errno));
  std::string error;
  std::optional<std::vector<fs::path>> root_entries = sorted_entries(root, &error);
  TINT_CHECK(root_entries.has_value(), "image folder ", root, " cannot be read: ", error);

  // Depth first with each folder's entries in sorted order visits the paths in sorted order,
  // so the first path met to a file or folder is the first of its paths in sorted order.
  struct Frame {
    FileId id;
    fs::path path;
    std::vector<fs::path> entries;
    size_t next = 0;
  };
  std::vector<Frame> stack;
  stack.push_back({file_id(root_stat), fs::path(root), std::move(*root_entries)});
  std::map<FileId, fs::path> folders = {{file_id(root_stat), fs::path(root)}};
  std::map<FileId, fs::path> seen;  // image files listed, by identity
  std::vector<fs::path> files;
  int64_t again = 0;  // files reached a second time
  std::string first_again;
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next == frame.entries.size()) {
      stack.pop_back();
      continue;
    }
    const fs::path path = frame.entries[frame.next++];
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      const int err = errno;
      if (is_link_path(path))
        warn("skipping " + path.string() + ": a symbolic link that cannot be followed (" +
             std::strerror(err) + ")");
      else if (has_image_extension(path))
        warn("skipping " + path.string() + ": it cannot be read (" + std::strerror(err) + ")");
      continue;
    }
    const FileId id = file_id(st);
    if (S_ISDIR(st.st_mode)) {
      const auto above = std::find_if(stack.begin(), stack.end(),
                                      [&](const Frame& f) { return f.id == id; });
      if (above != stack.end()) {
        warn("skipping " + path.string() + ": " +
             (is_link_path(path) ? "a symbolic link back to " : "the same folder as ") +
             above->path.string() + ", a folder above it (a loop)");
        continue;
      }
      const auto [known, fresh] = folders.emplace(id, path);
      if (!fresh) {
        warn("skipping " + path.string() + ": the same folder as " + known->second.string() +
             ", listed already");
        continue;
      }
      std::optional<std::vector<fs::path>> entries = sorted_entries(path, &error);
      if (!entries) {
        warn("skipping the folder " + path.string() + ": it cannot be read (" + error + ")");
        continue;
      }
      stack.push_back({id, path, std::move(*entries)});  // (frame is not used after this)
      continue;
    }
    if (!has_image_extension(path)) continue;
    if (!S_ISREG(st.st_mode)) {
      warn("skipping " + path.string() + ": it is not a regular file (" + file_kind(st.st_mode) +
           ")");
      continue;
    }
    const auto [known, fresh] = seen.emplace(id, path);
    if (!fresh) {
      if (again++ == 0)
        first_again = path.string() + " (the same file as " + known->second.string() + ")";
      continue;
    }
    files.push_back(path);
  }
  if (again > 0)
    warn("left out " + std::to_string(again) + " file" + (again == 1 ? "" : "s") + " under " +
         root + " reached a second time through symbolic or hard links, e.g. " + first_again);
  TINT_CHECK(
      !files.empty(), "image folder ", root,
      " holds no image files (looked for .jpg, .jpeg, .png, .bmp and .tga, in subfolders too)");
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

// Width and height from a PNG's IHDR or a BMP's header, for the images stb_image refuses to
// look at because a side is over its limit; false for anything else.
bool header_size(const std::string& bytes, uint64_t* width, uint64_t* height, const char** kind) {
  const auto u8 = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])); };
  static const char kPng[] = "\x89PNG\r\n\x1a\n";
  if (bytes.size() >= 24 && bytes.compare(0, 8, kPng, 8) == 0 &&
      bytes.compare(12, 4, "IHDR") == 0) {
    *width = u8(16) << 24 | u8(17) << 16 | u8(18) << 8 | u8(19);
    *height = u8(20) << 24 | u8(21) << 16 | u8(22) << 8 | u8(23);
    *kind = "PNG";
    return true;
  }
  if (bytes.size() >= 26 && bytes[0] == 'B' && bytes[1] == 'M') {
    const auto i32 = [&](size_t i) {
      return static_cast<int32_t>(
          static_cast<uint32_t>(u8(i) | u8(i + 1) << 8 | u8(i + 2) << 16 | u8(i + 3) << 24));
    };
    const int64_t w = i32(18), h = i32(22);
    *width = static_cast<uint64_t>(w < 0 ? -w : w);
    *height = static_cast<uint64_t>(h < 0 ? -h : h);
    *kind = "BMP";
    return true;
  }
  return false;
}

std::string pixels_text(uint64_t width, uint64_t height) {
  return std::to_string(width) + " x " + std::to_string(height) + " = " +
         std::to_string(width * height) + " pixels";
}

}  // namespace

std::optional<RgbImage> decode_image(const fs::path& path, std::string* reason,
                                     const uint8_t background[3], int64_t max_pixels) {
  static const uint8_t kWhite[3] = {255, 255, 255};
  if (!background) background = kWhite;
  const auto fail = [&](const std::string& why) {
    if (reason) *reason = why;
    return std::nullopt;
  };
  // Regular files only (a FIFO would block, /dev/zero never end), of a bounded size.
  std::string bytes;
  const std::string problem =
      try_read_regular_file(path.string(), max_image_file_bytes(max_pixels), &bytes);
  if (!problem.empty()) return fail(problem);
  const auto* raw = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int size = static_cast<int>(bytes.size());  // <= INT32_MAX: max_image_file_bytes
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(raw, size, &w, &h, &channels)) {
    // stb_image's reason after trying every format is "unknown image type"; a real PNG or BMP
    // whose side is over stb_image's limit says what it is in its header.
    uint64_t hw = 0, hh = 0;
    const char* kind = "";
    if (header_size(bytes, &hw, &hh, &kind) && std::max(hw, hh) > (uint64_t(1) << 24))
      return fail(std::string("is a ") + kind + " of " + pixels_text(hw, hh) +
                  ", larger than stb_image reads (at most 16777216 pixels on a side)");
    return fail("is not a JPEG, PNG, BMP or TGA image that stb_image can read");
  }
  // Bounded before decoding: a small file can declare a huge image.
  if (int64_t(w) * h > max_pixels)
    return fail("is " + pixels_text(w, h) + ", over the limit of " + std::to_string(max_pixels) +
                " pixels (--max-pixels)");
  try {
    // Decode with the file's own channel count so alpha can be composited, not just dropped.
    std::unique_ptr<stbi_uc, void (*)(void*)> data(
        stbi_load_from_memory(raw, size, &w, &h, &channels, 0), stbi_image_free);
    if (!data) {
      // stb's reason is used only where it helps: after a failed decode it often names another
      // format's signature check.
      const char* why = stbi_failure_reason();
      if (why && std::strcmp(why, "outofmem") == 0)
        return fail("ran out of memory being decoded (" + pixels_text(w, h) + ")");
      if (why && std::strcmp(why, "too large") == 0)
        return fail("is too large for stb_image to decode (" + pixels_text(w, h) + ")");
      return fail("holds corrupt or truncated image data");
    }
    if (w <= 0 || h <= 0 || channels < 1 || channels > 4)
      return fail("has an unsupported image layout (" + std::to_string(channels) + " channels)");
    bytes = std::string();  // the file's bytes are no longer needed
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
  } catch (const std::bad_alloc&) {
    return fail("ran out of memory being decoded (" + pixels_text(w, h) + ")");
  }
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

ImageFolder::ImageFolder(const std::string& root, Warn warn) : root_(root), warn_(std::move(warn)) {
  if (!warn_) warn_ = [](const std::string& line) { warn_once(line); };
  files_ = list_image_files(root, warn_);
}

std::optional<RgbImage> ImageFolder::load(size_t i) {
  TINT_CHECK(i < files_.size(), "ImageFolder ", root_, ": image ", i, " requested, the folder has ",
             files_.size());
  std::string reason;
  std::optional<RgbImage> image = decode_image(files_[i], &reason, background_, max_pixels_);
  if (!image) {
    ++skipped_;
    warn_("skipping " + files_[i].string() + ": it " + reason);
  }
  return image;
}

}  // namespace tint::apps
