// PLACEHOLDER until implemented.
#include "framework/ops/upsample.h"
namespace tint {
Tensor upsample_nearest2d(const Tensor&, const UpsampleSize&) { TINT_FAIL("not implemented yet"); }
Tensor upsample_bilinear2d(const Tensor&, const UpsampleSize&) { TINT_FAIL("not implemented yet"); }
}
