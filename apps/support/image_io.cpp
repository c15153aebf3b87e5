// PNG encoding into memory with stb_image_write, then one atomic write.
#include "image_io.h"

#include <stb_image_write.h>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"

namespace tint::apps {

void write_png(const std::string& path, const RgbImage& image) {
  TINT_CHECK(image.width > 0 && image.height > 0 &&
                 image.pixels.size() == size_t(image.width) * image.height * 3,
             "write_png ", path, ": the image is empty or its pixel buffer has the wrong size");
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
  };
  const int ok = stbi_write_png_to_func(append, &bytes, image.width, image.height, 3,
                                        image.pixels.data(), image.width * 3);
  TINT_CHECK(ok != 0, "write_png ", path, ": PNG encoding failed");
  write_file_atomically(path, bytes);
}

}  // namespace tint::apps
