// Public batch_norm2d: argument checks, batch statistics and the running-stat update, the
// CPU kernels, and one coarse autograd node for input, weight and bias. The node keeps the
// input, the per-channel mean and invstd actually used, and the weight; the backward is the
// closed form through the batch statistics in training, a per-channel scale in eval.
// bfloat16 input (float32 parameters and statistics): cuDNN in training on the GPU, through
// float32 otherwise (ops/mixed_precision.h). A bfloat16 or channels_last input cuDNN refuses
// (NOT_SUPPORTED) is computed contiguous and in float32 instead, from then on.
#include "framework/ops/batch_norm.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/batch_norm.h"
#include "framework/ops/cuda/batch_norm.h"
#include "framework/ops/op_profile.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/mixed_precision.h"
#include "framework/ops/reduce.h"
#include "framework/tensor/layout.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

constexpr const char* kOp = "batch_norm2d";

void check_per_channel(const Tensor& t, const Tensor& input, const char* what) {
  if (!t.defined()) return;
  const int64_t channels = input.shape()[1];
  TINT_CHECK(t.shape() == Shape{channels}, kOp, ": ", what, " must have shape [", channels,
             "] (one value per channel of the input of shape ", shape_str(input.shape()),
             "), got shape ", shape_str(t.shape()));
  if (is_bfloat16(input))
    TINT_CHECK(t.dtype() == DType::Float32, kOp, ": with a bfloat16 input, ", what,
               " must be float32 (parameters and statistics stay float32), got ",
               dtype_name(t.dtype()));
  else
    check_same_dtype(input, t, kOp, "the input", what);
  check_same_device(input, t, kOp, "the input", what);
}

// The float32 computation of a bfloat16 input (mixed_precision.h): the input alone is cast
// (not through_float32, which would cast any bfloat16 statistics too), so the running
// statistics are still updated in place and bfloat16 ones are still refused by name.
Tensor batch_norm2d_through_float32(const Tensor& input, const Tensor& running_mean,
                                    const Tensor& running_var, const Tensor& weight,
                                    const Tensor& bias, bool training, double momentum,
                                    double eps) {
  return batch_norm2d(input.to(DType::Float32), running_mean, running_var, weight, bias,
                      training, momentum, eps)
      .to(DType::BFloat16);
}

// The (bfloat16, channels_last) kinds of input cuDNN refused once (NOT_SUPPORTED): later
// calls take the fallback at once.
bool cudnn_refusals[2][2] = {};  // [bfloat16][channels_last]

bool& cudnn_refused(const Tensor& input) {
  return cudnn_refusals[is_bfloat16(input)][is_nhwc(input)];
}

// What cuDNN refused, computed as it accepts: a channels_last input made contiguous and a
// bfloat16 one cast to float32 (the result cast back), differentiably.
Tensor batch_norm2d_fallback(const Tensor& input, const Tensor& running_mean,
                             const Tensor& running_var, const Tensor& weight, const Tensor& bias,
                             bool training, double momentum, double eps) {
  const Tensor x = is_nhwc(input) ? input.contiguous() : input;
  if (!is_bfloat16(x))
    return batch_norm2d(x, running_mean, running_var, weight, bias, training, momentum, eps);
  return batch_norm2d_through_float32(x, running_mean, running_var, weight, bias, training,
                                      momentum, eps);
}

// A contiguous (C) copy that later updates of the source cannot change.
Tensor channel_copy(const Tensor& t) {
  Tensor c = Tensor::empty(t.shape(), t.dtype(), t.device());
  c.copy_(t.detach());
  return c;
}

}  // namespace

#if defined(TINT_WITH_CUDA)
namespace {
// The GPU path: cuDNN's fused calls (cuda/batch_norm.h) in training; in eval, cuDNN's
// inference forward and a per-channel scale for the backward (cuDNN has no eval backward).
Tensor batch_norm2d_cuda(const Tensor& input, const Tensor& running_mean,
                         const Tensor& running_var, const Tensor& weight, const Tensor& bias,
                         bool training, double momentum, double eps) {
  const int64_t channels = input.shape()[1];
  // A channels_last input stays so (cuDNN's NHWC descriptors, tensor/layout.h).
  const Tensor xc = dense_copy(input, is_nhwc(input));
  const Tensor w = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor b = bias.defined() ? bias.detach().contiguous() : Tensor();
  // The dtype of the statistics and of the weight and bias gradients (float32 for bfloat16).
  const DType stats_dtype = is_bfloat16(input) ? DType::Float32 : input.dtype();
  Tensor out = empty_like_layout(xc, input.dtype());
  if (training) {
    TINT_CHECK(input.shape()[0] * input.shape()[2] * input.shape()[3] > 1, kOp,
               ": training needs more than one value per channel, got input shape ",
               shape_str(input.shape()));
    const Tensor rm = running_mean.defined() ? running_mean.detach().contiguous() : Tensor();
    const Tensor rv = running_var.defined() ? running_var.detach().contiguous() : Tensor();
    Tensor save_mean = Tensor::empty({channels}, stats_dtype, input.device());
    Tensor save_invstd = Tensor::empty({channels}, stats_dtype, input.device());
    cuda::BatchNormPersistent persistent;
    {
      op_profile::MaybeScope profiled("batch_norm_forward_training", input.device());
      if (!cuda::batch_norm_forward_training(out, save_mean, save_invstd, xc, w, b, rm, rv,
                                             momentum, eps, &persistent)) {
        cudnn_refused(input) = true;
        return batch_norm2d_fallback(input, running_mean, running_var, weight, bias, training,
                                     momentum, eps);
      }
    }
    if (rm.defined() && !running_mean.is_contiguous()) Tensor(running_mean).copy_(rm);
    if (rv.defined() && !running_var.is_contiguous()) Tensor(running_var).copy_(rv);
    return record(out, kOp, {input, weight, bias},
                  [xc, w, save_mean, save_invstd, eps, channels, persistent](
                      const Tensor& g, const Needs& need) -> Grads {
                    const DType stats = save_mean.dtype();
                    Grads r(3);
                    if (need[0]) r[0] = empty_like_layout(xc, xc.dtype());
                    if (need[1]) r[1] = Tensor::empty({channels}, stats, xc.device());
                    if (need[2]) r[2] = Tensor::empty({channels}, stats, xc.device());
                    op_profile::MaybeScope profiled("batch_norm_backward_training",
                                                    xc.device());
                    cuda::batch_norm_backward_training(r[0], r[1], r[2], dense_like(g, xc), xc,
                                                       w, save_mean, save_invstd, eps,
                                                       persistent);
                    return r;
                  });
  }
  const Tensor rm = channel_copy(running_mean), rv = channel_copy(running_var);
  {
    op_profile::MaybeScope profiled("batch_norm_forward_inference", input.device());
    if (!cuda::batch_norm_forward_inference(out, xc, w, b, rm, rv, eps)) {
      cudnn_refused(input) = true;
      return batch_norm2d_fallback(input, running_mean, running_var, weight, bias, training,
                                   momentum, eps);
    }
  }
  return record(out, kOp, {input, weight, bias},
                [xc, w, rm, rv, eps, channels](const Tensor& g, const Needs& need) -> Grads {
                  const Shape per_channel{1, channels, 1, 1};
                  const Tensor invstd = rdiv(1.0, sqrt(add(rv, eps))).reshape(per_channel);
                  auto over_nhw = [](const Tensor& t) { return sum(sum(sum(t, 0), 1), 1); };
                  Grads r(3);
                  if (need[0])
                    r[0] = w.defined() ? mul(g, mul(invstd, w.reshape(per_channel)))
                                       : mul(g, invstd);
                  if (need[1])
                    r[1] = over_nhw(mul(g, mul(sub(xc, rm.reshape(per_channel)), invstd)));
                  if (need[2]) r[2] = over_nhw(g);
                  return r;
                });
}
}  // namespace
#endif

Tensor batch_norm2d(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                    const Tensor& weight, const Tensor& bias, bool training, double momentum,
                    double eps) {
  check_floating(input, kOp, "the input");
  TINT_CHECK(input.dim() == 4, kOp, ": the input must be 4-D (N, C, H, W), got shape ",
             shape_str(input.shape()));
  check_per_channel(running_mean, input, "running_mean");
  check_per_channel(running_var, input, "running_var");
  check_per_channel(weight, input, "weight");
  check_per_channel(bias, input, "bias");
  TINT_CHECK(running_mean.defined() == running_var.defined(), kOp,
             ": running_mean and running_var must be given together (or both left undefined)");
  TINT_CHECK(training || running_mean.defined(), kOp,
             ": eval mode (training = false) normalises with running_mean and running_var, "
             "but none were given");
  TINT_CHECK(eps >= 0, kOp, ": eps must be >= 0, got ", eps);
  // bfloat16 natively only in cuDNN's training calls; eval and the CPU through float32.
  if (is_bfloat16(input) && (!input.device().is_cuda() || !training))
    return batch_norm2d_through_float32(input, running_mean, running_var, weight, bias, training,
                                        momentum, eps);
  if (input.device().is_cuda() && cudnn_refused(input))
    return batch_norm2d_fallback(input, running_mean, running_var, weight, bias, training,
                                 momentum, eps);
#if defined(TINT_WITH_CUDA)
  if (input.device().is_cuda())
    return batch_norm2d_cuda(input, running_mean, running_var, weight, bias, training, momentum,
                             eps);
#endif

  const int64_t n = input.shape()[0], channels = input.shape()[1];
  const int64_t hw = input.shape()[2] * input.shape()[3];
  const Tensor xc = input.detach().contiguous();
  Tensor mean, var;
  if (training) {
    TINT_CHECK(n * hw > 1, kOp, ": training needs more than one value per channel, got input "
               "shape ", shape_str(input.shape()));
    mean = Tensor::empty({channels}, input.dtype(), input.device());
    var = Tensor::empty({channels}, input.dtype(), input.device());
    cpu::batch_norm_stats(mean, var, xc, n, channels, hw);
    if (running_mean.defined()) {
      // Update in place; a strided buffer is updated through a contiguous copy.
      const Tensor rm = running_mean.detach().contiguous();
      const Tensor rv = running_var.detach().contiguous();
      cpu::batch_norm_update_running(rm, rv, mean, var, momentum, n * hw);
      if (!running_mean.is_contiguous()) Tensor(running_mean).copy_(rm);
      if (!running_var.is_contiguous()) Tensor(running_var).copy_(rv);
    }
  } else {
    mean = channel_copy(running_mean);
    var = channel_copy(running_var);
  }
  Tensor invstd = Tensor::empty({channels}, input.dtype(), input.device());
  cpu::batch_norm_invstd(invstd, var, eps);

  const Tensor w = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor b = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor out = Tensor::empty(input.shape(), input.dtype(), input.device());
  cpu::batch_norm_forward(out, xc, mean, invstd, w, b, n, channels, hw);
  return record(out, kOp, {input, weight, bias},
                [xc, mean, invstd, w, training, n, channels, hw](const Tensor& g,
                                                                 const Needs& need) -> Grads {
                  Grads r(3);
                  if (need[0]) r[0] = Tensor::empty(xc.shape(), xc.dtype(), xc.device());
                  if (need[1]) r[1] = Tensor::empty({channels}, xc.dtype(), xc.device());
                  if (need[2]) r[2] = Tensor::empty({channels}, xc.dtype(), xc.device());
                  cpu::batch_norm_backward(r[0], r[1], r[2], g.contiguous(), xc, mean, invstd,
                                           w, training, n, channels, hw);
                  return r;
                });
}

std::vector<std::string> batch_norm_cudnn_refusals() {
  std::vector<std::string> kinds;
#if defined(TINT_WITH_CUDA)
  for (const std::string& d : cuda::batch_norm_persistent_declines())
    kinds.push_back(d + " (persistent kernels declined: plain cuDNN call)");
#endif
  for (int bf16 : {0, 1})
    for (int channels_last : {0, 1})
      if (cudnn_refusals[bf16][channels_last])
        kinds.push_back(std::string(bf16 ? "bfloat16" : "float32") +
                        (channels_last ? " NHWC" : " NCHW"));
  return kinds;
}

}  // namespace tint
