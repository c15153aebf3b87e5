// Writing small image files for the tests: raw bytes (for corrupt files) and PNGs encoded in
// memory with stb_image_write.
#pragma once

#include <stb_image_write.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace tint::testing {

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// stb_image_write's output callback: appends to the std::string passed as context.
inline void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
}

// PNG bytes of w x h pixels with c channels (pixel i, channel k = values[i * c + k]); empty
// when encoding fails.
inline std::string png(int w, int h, int c, const std::vector<uint8_t>& values) {
  std::string bytes;
  if (stbi_write_png_to_func(append_bytes, &bytes, w, h, c, values.data(), w * c) == 0) return {};
  return bytes;
}

}  // namespace tint::testing
