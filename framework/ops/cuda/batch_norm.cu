// cuDNN batch normalisation (CUDNN_BATCHNORM_SPATIAL; for a channels_last input in training
// the persistent NHWC kernels of the Ex calls, CUDNN_BATCHNORM_SPATIAL_PERSISTENT, falling
// back to the plain calls where cuDNN declines them). cuDNN wants scale and bias even when the
// layer has none, so affine-off layers pass ones and zeros. cuDNN's running variance
// uses the unbiased batch variance, as PyTorch's does. bfloat16 data keeps float32
// parameters and statistics (cuDNN's rule for 16-bit data); where cuDNN does not support
// bfloat16 (or NHWC) the forwards say so and the op computes it contiguous in float32.
#include <mutex>
#include <set>
#include <string>

#include "framework/cuda/cudnn_descriptors.h"
#include "framework/ops/cuda/batch_norm.h"
#include "framework/ops/cuda/launch.cuh"
#include "framework/tensor/factories.h"
#include "framework/tensor/layout.h"

namespace tint::cuda {

namespace {

// x in its dtype and layout (NHWC when channels_last, tensor/layout.h); the per-channel
// parameters and statistics in float32 for bfloat16 data.
struct BnDescriptors {
  TensorDescriptor x, param;
  BnDescriptors(const Tensor& t)
      : x(t.dtype(), t.shape()[0], t.shape()[1], t.shape()[2], t.shape()[3], is_nhwc(t)),
        param(cudnn_scaling_dtype(t.dtype()), 1, t.shape()[1], 1, 1) {}
};

struct Scalars {
  double one_d = 1.0, zero_d = 0.0;
  float one_f = 1.0f, zero_f = 0.0f;
  bool dbl;
  explicit Scalars(DType dtype) : dbl(dtype == DType::Float64) {}
  const void* one() const { return dbl ? static_cast<const void*>(&one_d) : &one_f; }
  const void* zero() const { return dbl ? static_cast<const void*>(&zero_d) : &zero_f; }
};

void check_eps(double eps) {
  TINT_CHECK(eps >= CUDNN_BN_MIN_EPSILON, "batch_norm2d on the GPU needs eps >= ",
             CUDNN_BN_MIN_EPSILON, " (cuDNN's minimum), got ", eps);
}

Tensor or_filled(const Tensor& t, const Tensor& like, double value) {
  return t.defined() ? t
                     : full({like.shape()[1]}, value,
                            options_of(like).with_dtype(cudnn_scaling_dtype(like.dtype())));
}

std::string where(const Tensor& x) { return "(batch_norm2d on " + shape_str(x.shape()) + ")"; }

// cuDNN declined a bfloat16 or channels_last input (the caller then computes it as cuDNN
// accepts); any other failure is an error.
bool refused(cudnnStatus_t status, const Tensor& x) {
  return status == CUDNN_STATUS_NOT_SUPPORTED &&
         (x.dtype() == DType::BFloat16 || is_nhwc(x));
}

std::mutex declines_mutex;
std::set<std::string> declines;

// The persistent kernels declined x (with status): noted for batch_norm_persistent_declines(),
// and the plain call runs instead. Returns false.
bool declined(cudnnStatus_t status, const Tensor& x) {
  const std::lock_guard<std::mutex> lock(declines_mutex);
  declines.insert(std::string(dtype_name(x.dtype())) + " NHWC: " + cudnnGetErrorString(status));
  return false;
}

// The persistent NHWC forward (the Ex call with its workspace and reserve space); false where
// cuDNN declines it for x (nothing written).
bool persistent_forward_training(const BnDescriptors& d, const Scalars& s, const Tensor& out,
                                 const Tensor& save_mean, const Tensor& save_invstd,
                                 const Tensor& x, const Tensor& w, const Tensor& b,
                                 const Tensor& running_mean, const Tensor& running_var,
                                 double momentum, double eps, BatchNormPersistent* persistent) {
  cudnnHandle_t h = context(x.device().index).cudnn();
  const cudnnBatchNormMode_t mode = CUDNN_BATCHNORM_SPATIAL_PERSISTENT;
  const cudnnBatchNormOps_t ops = CUDNN_BATCHNORM_OPS_BN;
  size_t ws_bytes = 0, reserve_bytes = 0;
  cudnnStatus_t status = cudnnGetBatchNormalizationForwardTrainingExWorkspaceSize(
      h, mode, ops, d.x.get(), nullptr, d.x.get(), d.param.get(), nullptr, &ws_bytes);
  if (status == CUDNN_STATUS_SUCCESS)
    status = cudnnGetBatchNormalizationTrainingExReserveSpaceSize(h, mode, ops, nullptr,
                                                                  d.x.get(), &reserve_bytes);
  if (status != CUDNN_STATUS_SUCCESS) return declined(status, x);
  const Tensor ws = Tensor::empty({static_cast<int64_t>(ws_bytes)}, DType::UInt8, x.device());
  Tensor reserve;
  if (reserve_bytes)
    reserve = Tensor::empty({static_cast<int64_t>(reserve_bytes)}, DType::UInt8, x.device());
  status = cudnnBatchNormalizationForwardTrainingEx(
      h, mode, ops, s.one(), s.zero(), d.x.get(), x.raw_data(), nullptr, nullptr, d.x.get(),
      out.raw_data(), d.param.get(), w.raw_data(), b.raw_data(), momentum,
      running_mean.defined() ? running_mean.raw_data() : nullptr,
      running_var.defined() ? running_var.raw_data() : nullptr, eps, save_mean.raw_data(),
      save_invstd.raw_data(), nullptr, ws_bytes ? ws.raw_data() : nullptr, ws_bytes,
      reserve_bytes ? reserve.raw_data() : nullptr, reserve_bytes);
  if (status != CUDNN_STATUS_SUCCESS) return declined(status, x);
  persistent->used = true;
  persistent->reserve = reserve;
  return true;
}

}  // namespace

bool batch_norm_forward_training(const Tensor& out, const Tensor& save_mean,
                                 const Tensor& save_invstd, const Tensor& x, const Tensor& weight,
                                 const Tensor& bias, const Tensor& running_mean,
                                 const Tensor& running_var, double momentum, double eps,
                                 BatchNormPersistent* persistent) {
  check_eps(eps);
  const BnDescriptors d(x);
  const Scalars s(x.dtype());
  const Tensor w = or_filled(weight, x, 1.0), b = or_filled(bias, x, 0.0);
  *persistent = BatchNormPersistent{};
  if (is_nhwc(x) && persistent_forward_training(d, s, out, save_mean, save_invstd, x, w, b,
                                                running_mean, running_var, momentum, eps,
                                                persistent))
    return true;
  const cudnnStatus_t status = cudnnBatchNormalizationForwardTraining(
      context(x.device().index).cudnn(), CUDNN_BATCHNORM_SPATIAL, s.one(), s.zero(), d.x.get(),
      x.raw_data(), d.x.get(), out.raw_data(), d.param.get(), w.raw_data(), b.raw_data(),
      momentum, running_mean.defined() ? running_mean.raw_data() : nullptr,
      running_var.defined() ? running_var.raw_data() : nullptr, eps, save_mean.raw_data(),
      save_invstd.raw_data());
  if (refused(status, x)) return false;
  TINT_CUDNN_CHECK(status, where(x));
  return true;
}

bool batch_norm_forward_inference(const Tensor& out, const Tensor& x, const Tensor& weight,
                                  const Tensor& bias, const Tensor& running_mean,
                                  const Tensor& running_var, double eps) {
  check_eps(eps);
  if (x.numel() == 0) return true;  // an empty batch (cuDNN rejects a 0-sized descriptor)
  const BnDescriptors d(x);
  const Scalars s(x.dtype());
  const Tensor w = or_filled(weight, x, 1.0), b = or_filled(bias, x, 0.0);
  const cudnnStatus_t status = cudnnBatchNormalizationForwardInference(
      context(x.device().index).cudnn(), CUDNN_BATCHNORM_SPATIAL, s.one(), s.zero(), d.x.get(),
      x.raw_data(), d.x.get(), out.raw_data(), d.param.get(), w.raw_data(), b.raw_data(),
      running_mean.raw_data(), running_var.raw_data(), eps);
  if (refused(status, x)) return false;
  TINT_CUDNN_CHECK(status, where(x));
  return true;
}

void batch_norm_backward_training(const Tensor& grad_in, const Tensor& grad_weight,
                                  const Tensor& grad_bias, const Tensor& grad_out, const Tensor& x,
                                  const Tensor& weight, const Tensor& save_mean,
                                  const Tensor& save_invstd, double eps,
                                  const BatchNormPersistent& persistent) {
  check_eps(eps);
  const BnDescriptors d(x);
  const Scalars s(x.dtype());
  const Tensor w = or_filled(weight, x, 1.0);
  // cuDNN always writes all three; scratch buffers take the unwanted ones.
  const Tensor gi = grad_in.defined() ? grad_in : empty_like_layout(x, x.dtype());
  const Tensor gw =
      grad_weight.defined() ? grad_weight : Tensor::empty(w.shape(), w.dtype(), w.device());
  const Tensor gb =
      grad_bias.defined() ? grad_bias : Tensor::empty(w.shape(), w.dtype(), w.device());
  cudnnHandle_t h = context(x.device().index).cudnn();
  if (persistent.used) {  // the forward's persistent kernels: their backward, same reserve
    const cudnnBatchNormMode_t mode = CUDNN_BATCHNORM_SPATIAL_PERSISTENT;
    const cudnnBatchNormOps_t ops = CUDNN_BATCHNORM_OPS_BN;
    size_t ws_bytes = 0;
    TINT_CUDNN_CHECK(cudnnGetBatchNormalizationBackwardExWorkspaceSize(
                         h, mode, ops, d.x.get(), nullptr, d.x.get(), nullptr, d.x.get(),
                         d.param.get(), nullptr, &ws_bytes),
                     where(x));
    const Tensor ws = Tensor::empty({static_cast<int64_t>(ws_bytes)}, DType::UInt8, x.device());
    const Tensor& r = persistent.reserve;
    TINT_CUDNN_CHECK(cudnnBatchNormalizationBackwardEx(
                         h, mode, ops, s.one(), s.zero(), s.one(), s.zero(), d.x.get(),
                         x.raw_data(), nullptr, nullptr, d.x.get(), grad_out.raw_data(), nullptr,
                         nullptr, d.x.get(), gi.raw_data(), d.param.get(), w.raw_data(), nullptr,
                         gw.raw_data(), gb.raw_data(), eps, save_mean.raw_data(),
                         save_invstd.raw_data(), nullptr, ws_bytes ? ws.raw_data() : nullptr,
                         ws_bytes, r.defined() ? r.raw_data() : nullptr,
                         r.defined() ? static_cast<size_t>(r.nbytes()) : 0),
                     where(x));
    return;
  }
  TINT_CUDNN_CHECK(cudnnBatchNormalizationBackward(
                       h, CUDNN_BATCHNORM_SPATIAL, s.one(), s.zero(), s.one(), s.zero(),
                       d.x.get(), x.raw_data(), d.x.get(), grad_out.raw_data(), d.x.get(),
                       gi.raw_data(), d.param.get(), w.raw_data(), gw.raw_data(), gb.raw_data(),
                       eps, save_mean.raw_data(), save_invstd.raw_data()),
                   where(x));
}

std::vector<std::string> batch_norm_persistent_declines() {
  const std::lock_guard<std::mutex> lock(declines_mutex);
  return {declines.begin(), declines.end()};
}

}  // namespace tint::cuda
