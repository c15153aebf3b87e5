// PLACEHOLDER until implemented: conv2d / conv_transpose2d.
#include "framework/ops/conv.h"
namespace tint {
Tensor conv2d(const Tensor&, const Tensor&, const Tensor&, const Conv2dOptions&) { TINT_FAIL("conv2d: not implemented yet"); }
Tensor conv_transpose2d(const Tensor&, const Tensor&, const Tensor&, const ConvTranspose2dOptions&) { TINT_FAIL("conv_transpose2d: not implemented yet"); }
int64_t conv_output_size(int64_t, int64_t, int64_t, int64_t, int64_t) { TINT_FAIL("not implemented"); }
int64_t conv_transpose_output_size(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t) { TINT_FAIL("not implemented"); }
}
