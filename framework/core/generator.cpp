// The default generator.
#include "framework/core/generator.h"

namespace tint {

Generator& default_generator() {
  static Generator generator(0x5EEDull);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace tint
