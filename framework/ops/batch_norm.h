// Batch normalisation over (N, H, W) per channel of an NCHW tensor, as
// torch.nn.functional.batch_norm. In training it normalises with the batch's biased variance
// and updates running_mean/running_var in place (momentum, unbiased variance), when given;
// in eval it uses the running statistics (which must then be given). weight/bias may be
// undefined (affine off). Per-channel tensors are (C) of the input's dtype (float32 for a
// bfloat16 input). Training needs more than one value per channel. One autograd node for
// input, weight and bias.
#pragma once

#include <string>
#include <vector>

#include "framework/tensor/tensor.h"

namespace tint {

Tensor batch_norm2d(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                    const Tensor& weight, const Tensor& bias, bool training,
                    double momentum = 0.1, double eps = 1e-5);

// The kinds of GPU input cuDNN refused so far in this process ("bfloat16 NCHW", "float32
// NHWC", ...), which batch_norm2d then computes contiguous in float32, and those whose
// persistent NHWC kernels cuDNN declined ("... (persistent kernels declined: plain cuDNN
// call)"): for benchmarks to say which path ran. Empty when none was.
std::vector<std::string> batch_norm_cudnn_refusals();

}  // namespace tint
