// The CUDA launch helpers of framework/ops/cuda/launch.cuh, named in tint::color::cuda so
// the colorization kernels use them as the framework's kernels do.
#pragma once

#include "framework/ops/cuda/launch.cuh"

namespace tint::color::cuda {

using ::tint::cuda::blocks_for;
using ::tint::cuda::check_launch;
using ::tint::cuda::kThreads;
using ::tint::cuda::stream_of;

}  // namespace tint::color::cuda
