// PLACEHOLDER until implemented.
#include "framework/ops/dropout.h"
namespace tint {
Tensor dropout(const Tensor&, double, bool, Generator&) { TINT_FAIL("dropout: not implemented yet"); }
Tensor dropout(const Tensor&, double, bool) { TINT_FAIL("dropout: not implemented yet"); }
}
