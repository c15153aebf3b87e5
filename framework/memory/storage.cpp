// Host allocation and copies; device buffers come from the CUDA backend's caching allocator
// (framework/memory/device_memory.h), which in a build without CUDA is a clear error.
#include "framework/memory/storage.h"

#include <cstdlib>
#include <cstring>

#include "framework/core/error.h"
#include "framework/memory/device_memory.h"

namespace tint {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  if (device.is_cuda()) {
    void* ptr = device_allocate(nbytes, device);
    return std::shared_ptr<Storage>(new Storage(
        std::shared_ptr<void>(ptr, [device](void* p) { device_free(p, device); }), nbytes, device));
  }
  const size_t rounded = (nbytes + 63) / 64 * 64;
  void* ptr = rounded ? std::aligned_alloc(64, rounded) : nullptr;
  TINT_CHECK(ptr || rounded == 0, "out of host memory allocating ", nbytes, " bytes");
  return std::shared_ptr<Storage>(
      new Storage(std::shared_ptr<void>(ptr, [](void* p) { std::free(p); }), nbytes, device));
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                size_t nbytes) {
  if (nbytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) std::memcpy(dst, src, nbytes);
  else device_copy(dst, dst_device, src, src_device, nbytes);
}

}  // namespace tint
