// The process-wide CUDA backend switches.
#include "framework/cuda/settings.h"

namespace tint::cuda {

Settings& settings() {
  static Settings s;
  return s;
}

}  // namespace tint::cuda
