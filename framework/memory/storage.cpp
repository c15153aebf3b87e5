// Host allocation and host copies. The CUDA backend (its own issue) plugs device
// allocation in here; until then asking for cuda storage is a clear error.
#include "framework/memory/storage.h"

#include <cstdlib>
#include <cstring>

#include "framework/core/error.h"

namespace tint {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  TINT_CHECK(device.is_cpu(), "cannot allocate ", nbytes, " bytes on ", device.str(),
             ": this build of tint has no CUDA storage yet (cpu only)");
  const size_t rounded = (nbytes + 63) / 64 * 64;
  void* ptr = rounded ? std::aligned_alloc(64, rounded) : nullptr;
  TINT_CHECK(ptr || rounded == 0, "out of host memory allocating ", nbytes, " bytes");
  return std::shared_ptr<Storage>(
      new Storage(std::shared_ptr<void>(ptr, [](void* p) { std::free(p); }), nbytes, device));
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                size_t nbytes) {
  TINT_CHECK(dst_device.is_cpu() && src_device.is_cpu(), "copy from ", src_device.str(), " to ",
             dst_device.str(), " needs the CUDA backend, which this build does not have");
  if (nbytes) std::memcpy(dst, src, nbytes);
}

}  // namespace tint
