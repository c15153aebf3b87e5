// Batch normalisation on the GPU through cuDNN (spatial mode). cuDNN fuses what the CPU
// does in steps (statistics, running update, normalise), so the public op calls these
// instead of the CPU step functions; the CUDA tests compare the two.
#pragma once

#include <string>
#include <vector>

#include "framework/tensor/tensor.h"

namespace tint::cuda {

// What a training forward on a channels_last x leaves for its backward: whether cuDNN's
// persistent NHWC kernels ran (cudnnBatchNormalization*Ex, CUDNN_BATCHNORM_SPATIAL_PERSISTENT,
// as PyTorch calls them for channels_last; the plain NHWC calls were ~13x slower on an H100),
// and the reserve space they keep (undefined when they need none).
struct BatchNormPersistent {
  bool used = false;
  Tensor reserve;
};

// Training: out, and the batch mean / inverse std saved for backward (C), from x (N,C,H,W);
// running_mean/var updated with momentum (unbiased variance) when defined. weight/bias may be
// undefined (affine off: 1 and 0 are passed to cuDNN). A bfloat16 x keeps float32 weight,
// bias, statistics and saved mean/invstd; a channels_last x (and out) is described as NHWC.
// Returns false, writing nothing, where cuDNN does not support a bfloat16 or channels_last x
// (the caller then computes it contiguous and in float32); true otherwise.
bool batch_norm_forward_training(const Tensor& out, const Tensor& save_mean,
                                 const Tensor& save_invstd, const Tensor& x, const Tensor& weight,
                                 const Tensor& bias, const Tensor& running_mean,
                                 const Tensor& running_var, double momentum, double eps,
                                 BatchNormPersistent* persistent);
// Eval: normalise with the running statistics; false as above.
bool batch_norm_forward_inference(const Tensor& out, const Tensor& x, const Tensor& weight,
                                  const Tensor& bias, const Tensor& running_mean,
                                  const Tensor& running_var, double eps);
// Training backward through the batch statistics; any gradient may be undefined;
// persistent: what the forward left.
void batch_norm_backward_training(const Tensor& grad_in, const Tensor& grad_weight,
                                  const Tensor& grad_bias, const Tensor& grad_out, const Tensor& x,
                                  const Tensor& weight, const Tensor& save_mean,
                                  const Tensor& save_invstd, double eps,
                                  const BatchNormPersistent& persistent);

// The inputs (dtype, and cuDNN's status) for which the persistent kernels were declined in this
// process, the plain NHWC calls running instead.
std::vector<std::string> batch_norm_persistent_declines();

}  // namespace tint::cuda
