// Whether a CUDA device can be used by this process, which one it is, and waiting for it.
// False / "none" / no-ops in a build without CUDA.
#pragma once

#include <string>

namespace tint::cuda {

bool built_with_cuda();
int device_count();  // 0 without a usable driver or device
bool available();
// Waits until all work queued on the device (every stream) has finished; a failure of that
// work is reported here as a tint::Error. A no-op in a build without CUDA.
void synchronize(int device = 0);
// The device's product name (cudaDeviceProp::name, e.g. "NVIDIA H100 80GB HBM3"), or "none"
// when there is no such device or the build has no CUDA.
std::string device_name(int device = 0);
// The version of the cuDNN library loaded at run time (cudnnGetVersion(), e.g. 91002 for
// 9.10.2), or 0 in a build without CUDA. Benchmarks report it next to PyTorch's.
int cudnn_version();
// Whether the device's stream is being captured into a CUDA graph (framework/cuda/graph.h);
// false in a build without CUDA.
bool stream_capturing(int device = 0);

}  // namespace tint::cuda
