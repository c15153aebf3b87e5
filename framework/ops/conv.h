// 2-D convolution and transposed convolution, NCHW, PyTorch's semantics and weight layouts:
// conv2d weight (C_out, C_in, kH, kW); conv_transpose2d weight (C_in, C_out, kH, kW).
// groups = 1 only (no grouped or depthwise convolution).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "framework/tensor/tensor.h"

namespace tint {

struct Pair {
  int64_t h = 0, w = 0;
  Pair() = default;
  Pair(int64_t both) : h(both), w(both) {}  // NOLINT: implicit on purpose (stride = 2)
  Pair(int64_t h_, int64_t w_) : h(h_), w(w_) {}
  bool operator==(const Pair&) const = default;
};

// channels_last: compute in the NHWC layout (framework/tensor/layout.h) and return a
// channels_last output, whatever the input's layout: cuDNN's tensor-core kernels on the GPU;
// on the CPU the same values (computed in NCHW, then laid out). An input that already is
// channels_last (and not contiguous) is computed so too. Gradients come back in the layout
// of what was given (contiguous unless channels_last).
struct Conv2dOptions {
  Pair stride{1};
  Pair padding{0};
  Pair dilation{1};
  bool channels_last = false;
};

struct ConvTranspose2dOptions {
  Pair stride{1};
  Pair padding{0};
  Pair output_padding{0};
  Pair dilation{1};
  bool channels_last = false;
};

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv2dOptions& options = {});
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        const ConvTranspose2dOptions& options = {});

// Output spatial size of a convolution along one axis.
int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                         int64_t dilation);
int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t output_padding, int64_t dilation);

// The cuDNN convolution algorithms chosen so far in this process, one line each ("pass dtype
// (shapes): algorithm A, math type, workspace bytes"); empty without CUDA.
std::vector<std::string> conv_algorithm_choices();

}  // namespace tint
