// The bridge from Storage to the CUDA backend: device allocation (through the caching
// allocator) and copies between host and device. In a build without CUDA these throw a
// clear tint::Error.
#pragma once

#include <cstddef>

#include "framework/core/device.h"
#include "framework/memory/caching_allocator.h"

namespace tint {

void* device_allocate(size_t nbytes, Device device);
void device_free(void* ptr, Device device) noexcept;
// Copies nbytes where at least one side is a CUDA device; returns when dst holds the data.
void device_copy(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);
// Statistics of the device's caching allocator (zeros without CUDA).
AllocatorStats device_memory_stats(Device device);
void device_reset_peak(Device device);
void device_empty_cache(Device device);

}  // namespace tint
