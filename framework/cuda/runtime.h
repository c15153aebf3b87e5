// Whether a CUDA device can be used by this process. False in a build without CUDA.
#pragma once

namespace tint::cuda {

bool built_with_cuda();
int device_count();  // 0 without a usable driver or device
bool available();

}  // namespace tint::cuda
