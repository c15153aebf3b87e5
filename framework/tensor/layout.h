// Memory layouts of dense 4-D tensors: the default contiguous NCHW (row-major) and
// channels_last (NHWC in memory: strides (H*W*C, 1, W*C, C) for the logical shape N, C, H, W,
// as PyTorch's torch.channels_last). The shape, indexing and autograd of a tensor do not
// depend on its layout; the layout only decides where each element lives, which is what
// cuDNN's tensor-core kernels care about (nn::settings().channels_last, framework/nn/
// settings.h). Ops that know the layout (cuDNN convolutions and batch norm, bias_relu,
// casts and copies, dropout on the GPU) keep it; the others read any strides and give
// contiguous NCHW results, so a layout never changes a value.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint {

// The channels_last strides of a 4-D shape (N, C, H, W).
Shape channels_last_strides(const Shape& shape);

// Whether t is a dense 4-D tensor laid out as NHWC. Dims of size 1 do not count (a tensor
// with C == 1, or H == W == 1, is both contiguous and channels_last).
bool is_channels_last(const Tensor& t);

// Whether t is channels_last and not also contiguous: the layouts differ, so a kernel must
// index it as NHWC (what the layout-keeping ops ask of their input).
bool is_nhwc(const Tensor& t);

// An uninitialised channels_last tensor of the 4-D shape.
Tensor empty_channels_last(const Shape& shape, DType dtype, Device device);

// An uninitialised tensor of the shape, channels_last when asked, else contiguous.
Tensor empty_dense(const Shape& shape, DType dtype, Device device, bool channels_last);

// t's values channels_last when asked (channels_last_copy), else contiguous; t itself
// (detached) when it already is so.
Tensor dense_copy(const Tensor& t, bool channels_last);

// An uninitialised tensor of t's shape and layout (channels_last when t is channels_last and
// not contiguous, contiguous otherwise) with the given dtype.
Tensor empty_like_layout(const Tensor& t, DType dtype);

// Whether t is dense (contiguous or channels_last), so its elements fill one span of storage.
bool is_dense(const Tensor& t);

// Whether a and b (of one shape) are both dense with the same storage order (their strides
// equal on every dim of size > 1), so element k of one's span is element k of the other's.
bool same_dense_order(const Tensor& a, const Tensor& b);

// t's values in channels_last layout: t itself when it already is one, else a copy (no
// autograd: for ops that save or pass detached tensors).
Tensor channels_last_copy(const Tensor& t);

// t's values in the layout of `like` (channels_last when like is channels_last and not
// contiguous, else contiguous): t itself when it already is, else a copy (no autograd).
Tensor dense_like(const Tensor& t, const Tensor& like);

// The elements of a dense tensor as a contiguous 1-D view in storage order (no autograd), for
// elementwise work that does not care about positions.
Tensor storage_order_view(const Tensor& t);

}  // namespace tint
