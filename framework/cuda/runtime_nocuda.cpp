// CUDA runtime queries in a build without CUDA: there is never a device.
#include "framework/cuda/runtime.h"

namespace tint::cuda {

bool built_with_cuda() { return false; }
int device_count() { return 0; }
bool available() { return false; }

}  // namespace tint::cuda
