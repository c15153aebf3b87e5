// The process-wide nn layer switches.
#include "framework/nn/settings.h"

namespace tint::nn {

Settings& settings() {
  static Settings s;
  return s;
}

}  // namespace tint::nn
