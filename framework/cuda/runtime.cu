// CUDA runtime queries for a CUDA build. A missing driver or device is not an error here:
// it means "no GPU", and callers fall back to the cpu or skip.
#include <cuda_runtime.h>

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

}  // namespace tint::cuda
