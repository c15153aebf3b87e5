// Pooling of NCHW tensors with PyTorch's semantics: max_pool2d (torch.nn.functional.
// max_pool2d without dilation or ceil_mode: implicit -inf padding of at most half the
// kernel, out = floor((in + 2 * pad - kernel) / stride) + 1, the gradient going to the first
// maximum of each window in row-major order, NaN propagating), and adaptive_avg_pool2d
// (torch.nn.functional.adaptive_avg_pool2d: output cell i averages input rows
// [floor(i * in / out), ceil((i + 1) * in / out)), likewise columns).
#pragma once

#include <cstdint>

#include "framework/ops/conv.h"  // Pair
#include "framework/tensor/tensor.h"

namespace tint {

struct MaxPool2dOptions {
  Pair kernel_size{2};
  Pair stride{0};   // 0: the kernel size (PyTorch's stride=None)
  Pair padding{0};  // each at most half the kernel size
};

Tensor max_pool2d(const Tensor& input, const MaxPool2dOptions& options);

// Built from two matrix products with fixed averaging matrices (ops/matmul.h), so it runs
// and differentiates on every device the matmul does. The identity when the size is kept.
Tensor adaptive_avg_pool2d(const Tensor& input, int64_t out_h, int64_t out_w);

}  // namespace tint
