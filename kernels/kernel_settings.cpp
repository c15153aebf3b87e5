// The process-wide colorization kernel settings (kernels/kernel_settings.h).
#include "kernels/kernel_settings.h"

namespace tint::color {

KernelSettings& kernel_settings() {
  static KernelSettings settings;
  return settings;
}

}  // namespace tint::color
