// Ops that move data without arithmetic: concatenation, padding, dtype casts, layouts.
// (Views such as reshape/slice/permute are Tensor methods.)
#pragma once

#include <vector>

#include "framework/tensor/tensor.h"

namespace tint {

// Concatenates along dim; all tensors share dtype, device and every other size.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
// Constant padding as torch.nn.functional.pad: pads lists (before, after) pairs starting from
// the last dim; negative amounts crop.
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value = 0.0);
// Converts elements to dtype (differentiable between floating dtypes); a channels_last x
// gives a channels_last result (framework/tensor/layout.h).
Tensor cast(const Tensor& x, DType dtype);
// x laid out channels_last (NHWC; x itself when it already is), as PyTorch's
// x.contiguous(memory_format=torch.channels_last); differentiable, the gradient coming back
// contiguous. x must be 4-D.
Tensor to_channels_last(const Tensor& x);

// cast(x, dtype) laid out channels_last, in one copy (the cast and the layout change at
// once): what a mixed-precision convolution asked for channels_last takes its float32
// weight as. x must be 4-D. The gradient comes back in x's dtype and layout, also in one copy.
Tensor cast_channels_last(const Tensor& x, DType dtype);

}  // namespace tint
