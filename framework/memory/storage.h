// Storage: one owned, aligned byte buffer on one device. Tensors are views onto a Storage
// (shape, strides, offset); several tensors may share one.
#pragma once

#include <cstddef>
#include <memory>

#include "framework/core/device.h"

namespace tint {

class Storage {
 public:
  // Allocates nbytes (uninitialised) on device. CPU buffers are 64-byte aligned.
  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device);

  void* data() const { return data_.get(); }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  Storage(std::shared_ptr<void> data, size_t nbytes, Device device)
      : data_(std::move(data)), nbytes_(nbytes), device_(device) {}
  std::shared_ptr<void> data_;
  size_t nbytes_;
  Device device_;
};

// Copies nbytes between two buffers on the given devices.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);

}  // namespace tint
