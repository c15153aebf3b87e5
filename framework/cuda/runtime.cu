// CUDA runtime queries for a CUDA build. A missing driver or device is not an error here:
// it means "no GPU", and callers fall back to the cpu or skip. synchronize() is the
// exception: it is only called for a device in use, so a failure there is an error.
#include <cuda_runtime.h>

#include "framework/cuda/check.h"
#include "framework/cuda/context.h"
#include "framework/cuda/runtime.h"

namespace tint::cuda {

bool built_with_cuda() { return true; }

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return count;
}

bool available() { return device_count() > 0; }

void synchronize(int device) {
  const int count = device_count();
  TINT_CHECK(device >= 0 && device < count, "cuda::synchronize: cuda:", device,
             " is not available: ", count, " CUDA device(s) visible to this process");
  int current = 0;
  TINT_CUDA_CHECK(cudaGetDevice(&current));
  struct Restore {  // leave the calling thread's current device as it was, even on a throw
    int device;
    ~Restore() { cudaSetDevice(device); }
  } restore{current};
  TINT_CUDA_CHECK(cudaSetDevice(device), "(cuda:", device, ")");
  TINT_CUDA_CHECK(cudaDeviceSynchronize(), "(waiting for the work queued on cuda:", device, ")");
}

std::string device_name(int device) {
  if (device < 0 || device >= device_count()) return "none";
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    cudaGetLastError();
    return "none";
  }
  return prop.name;
}

int cudnn_version() { return static_cast<int>(cudnnGetVersion()); }

bool stream_capturing(int device) {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  TINT_CUDA_CHECK(cudaStreamIsCapturing(context(device).stream(), &status));
  return status != cudaStreamCaptureStatusNone;
}

}  // namespace tint::cuda
