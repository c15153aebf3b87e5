// PLACEHOLDER until implemented.
#include "framework/ops/batch_norm.h"
namespace tint {
Tensor batch_norm2d(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool, double, double) { TINT_FAIL("batch_norm2d: not implemented yet"); }
}
