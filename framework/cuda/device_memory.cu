// Device memory for Storage: the caching allocator of the device's context, and copies on
// the context's stream (device-to-host waits for the stream, so the host sees the data).
#include <cstdlib>

#include "framework/cuda/context.h"
#include "framework/memory/device_memory.h"

namespace tint {

void* device_allocate(size_t nbytes, Device device) {
  cuda::Context& ctx = cuda::context(device.index);
  void* ptr = ctx.allocator().allocate(nbytes);
  // TINT_CUDA_SENTINEL=1 (set by the CUDA tests): fresh memory reads as NaN / -1, so an
  // output element that a kernel never writes is caught.
  static const bool sentinel = [] {
    const char* v = std::getenv("TINT_CUDA_SENTINEL");
    return v && v[0] == '1';
  }();
  if (sentinel && ptr) TINT_CUDA_CHECK(cudaMemsetAsync(ptr, 0xFF, nbytes, ctx.stream()));
  return ptr;
}

void device_free(void* ptr, Device device) noexcept {
  if (!ptr) return;
  try {
    // Work queued on the stream may still read this block; the allocator hands it out
    // again only to work queued later on the same stream, which runs after it.
    cuda::context(device.index).allocator().free(ptr);
  } catch (...) {
  }
}

void device_copy(void* dst, Device dst_device, const void* src, Device src_device,
                 size_t nbytes) {
  if (dst_device.is_cuda() && src_device.is_cuda() && dst_device.index != src_device.index) {
    cuda::Context& from = cuda::context(src_device.index);
    TINT_CUDA_CHECK(cudaStreamSynchronize(from.stream()));
    TINT_CUDA_CHECK(cudaMemcpyPeer(dst, dst_device.index, src, src_device.index, nbytes));
    return;
  }
  const Device gpu = dst_device.is_cuda() ? dst_device : src_device;
  cuda::Context& ctx = cuda::context(gpu.index);
  const cudaMemcpyKind kind = dst_device.is_cpu()   ? cudaMemcpyDeviceToHost
                              : src_device.is_cpu() ? cudaMemcpyHostToDevice
                                                    : cudaMemcpyDeviceToDevice;
  TINT_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, kind, ctx.stream()), "(", nbytes, " bytes)");
  // Host memory is pageable: wait so the host buffer may be reused or read at once.
  if (kind != cudaMemcpyDeviceToDevice) TINT_CUDA_CHECK(cudaStreamSynchronize(ctx.stream()));
}

AllocatorStats device_memory_stats(Device device) {
  return cuda::context(device.index).allocator().stats();
}
void device_reset_peak(Device device) { cuda::context(device.index).allocator().reset_peak(); }
void device_empty_cache(Device device) { cuda::context(device.index).allocator().empty_cache(); }

}  // namespace tint
