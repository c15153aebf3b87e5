// Device memory in a build without CUDA: every request is a clear error.
#include "framework/core/error.h"
#include "framework/memory/device_memory.h"

namespace tint {

void* device_allocate(size_t nbytes, Device device) {
  TINT_FAIL("cannot allocate ", nbytes, " bytes on ", device.str(),
            ": this build of tint has no CUDA backend (configure with -DTINT_CUDA=ON on a "
            "machine with the CUDA toolkit)");
}
void device_free(void*, Device) noexcept {}
void device_copy(void*, Device dst_device, const void*, Device src_device, size_t) {
  TINT_FAIL("cannot copy from ", src_device.str(), " to ", dst_device.str(),
            ": this build of tint has no CUDA backend");
}
AllocatorStats device_memory_stats(Device) { return {}; }
void device_reset_peak(Device) {}
void device_empty_cache(Device) {}

}  // namespace tint
