// CUDA runtime queries in a build without CUDA: there is never a device, and there is
// nothing to wait for.
#include "framework/cuda/runtime.h"

namespace tint::cuda {

bool built_with_cuda() { return false; }
int device_count() { return 0; }
bool available() { return false; }
void synchronize(int) {}
std::string device_name(int) { return "none"; }
int cudnn_version() { return 0; }
bool stream_capturing(int) { return false; }

}  // namespace tint::cuda
