// The process-wide upload mode of the optimizers' GPU step (multi_tensor.h), defined in every
// build so CUDA-independent code can set it.
#include "framework/optim/cuda/multi_tensor.h"

namespace tint::cuda {

MultiTensorMode& multi_tensor_mode() {
  static MultiTensorMode mode = MultiTensorMode::Launch;
  return mode;
}

}  // namespace tint::cuda
