// Convolutions through cuDNN. One description serves all six passes: the conv2d whose input
// is the "image" side (conv2d's input, conv_transpose2d's output) and whose output is the
// "columns" side. So conv_transpose2d forward is cuDNN backward-data, its grad-input is
// cuDNN forward, and its grad-weight is backward-filter with the roles of x and dy swapped.
//
// The algorithm of each pass is chosen once per full key (pass, dtype, all sizes, padding,
// stride, dilation, TF32, deterministic, benchmark, device) and cached: by cuDNN's
// heuristics (default) or by timing every algorithm with cudnnFind (settings().benchmark);
// with settings().deterministic only algorithms cuDNN marks deterministic are taken.
// Workspaces come from the caching allocator. bfloat16 data is computed in float32 (tensor
// cores); its bias add and bias gradient use the bias kernels of cuda/bias_relu.h. With
// g.channels_last every tensor (filter included) is NHWC (cuDNN's tensor-core layout).
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/cuda/cudnn_descriptors.h"
#include "framework/cuda/settings.h"
#include "framework/ops/cuda/bias_relu.h"
#include "framework/ops/cuda/conv.h"
#include "framework/ops/cuda/launch.cuh"

namespace tint::cuda {

namespace {

enum class Pass { Forward, BackwardData, BackwardFilter };

struct AlgoChoice {
  int algo = 0;
  size_t workspace = 0;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;  // the math type the algorithm was listed with
};

// Descriptors of one convolution: x = image side, y = columns side, w = filter (K, C, kh, kw)
// with K = columns channels and C = image channels.
struct ConvDescriptors {
  TensorDescriptor x, y;
  FilterDescriptor w;
  ConvolutionDescriptor conv;
  ConvDescriptors(DType dtype, int64_t n, int64_t k, const ConvGeometry& g)
      : x(dtype, n, g.channels, g.height, g.width, g.channels_last),
        y(dtype, n, k, g.out_h, g.out_w, g.channels_last),
        w(dtype, k, g.channels, g.kernel_h, g.kernel_w, g.channels_last),
        conv(dtype, g.pad_h, g.pad_w, g.stride_h, g.stride_w, g.dil_h, g.dil_w,
             settings().allow_tf32) {}
};

std::string algo_key(Pass pass, DType dtype, int64_t n, int64_t k, const ConvGeometry& g,
                     int device) {
  const Settings& s = settings();
  return detail::concat(static_cast<int>(pass), ':', static_cast<int>(dtype), ':', n, ':', k,
                        ':', g.channels, ':', g.height, ':', g.width, ':', g.kernel_h, ':',
                        g.kernel_w, ':', g.out_h, ':', g.out_w, ':', g.pad_h, ':', g.pad_w, ':',
                        g.stride_h, ':', g.stride_w, ':', g.dil_h, ':', g.dil_w, ':',
                        s.allow_tf32, s.deterministic, s.benchmark, g.channels_last, ':', device);
}

std::string shapes_str(int64_t n, int64_t k, const ConvGeometry& g) {
  return detail::concat("(image ", n, "x", g.channels, "x", g.height, "x", g.width,
                        ", filter ", k, "x", g.channels, "x", g.kernel_h, "x", g.kernel_w,
                        ", columns ", n, "x", k, "x", g.out_h, "x", g.out_w, ", pad ", g.pad_h,
                        ",", g.pad_w, ", stride ", g.stride_h, ",", g.stride_w, ", dilation ",
                        g.dil_h, ",", g.dil_w, g.channels_last ? ", NHWC" : "", ")");
}

// Whether an algorithm listed with math type m runs on tensor cores (16-bit data).
bool tensor_op(cudnnMathType_t m) {
  return m == CUDNN_TENSOR_OP_MATH || m == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
}

// Picks from a list of perf results (sorted best first by cuDNN): the first usable one; for
// bfloat16 the first usable tensor-core one if there is any.
template <typename Perf>
AlgoChoice pick(const Perf* perf, int count, DType dtype, const std::string& shapes,
                const char* pass) {
  const auto usable = [&](int i) {
    return perf[i].status == CUDNN_STATUS_SUCCESS &&
           (!settings().deterministic || perf[i].determinism == CUDNN_DETERMINISTIC);
  };
  for (int round = dtype == DType::BFloat16 ? 0 : 1; round < 2; ++round)
    for (int i = 0; i < count; ++i)
      if (usable(i) && (round == 1 || tensor_op(perf[i].mathType)))
        return {static_cast<int>(perf[i].algo), perf[i].memory, perf[i].mathType};
  TINT_FAIL("cuDNN has no usable ", pass, " algorithm", settings().deterministic
            ? " that is deterministic" : "", " for ", shapes);
}

class AlgoCache {
 public:
  bool find(const std::string& key, AlgoChoice* out) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    *out = it->second;
    return true;
  }
  // description: the pass, dtype and shapes, for choices().
  void put(const std::string& key, AlgoChoice choice, std::string description) {
    std::lock_guard<std::mutex> lock(mutex_);
    map_[key] = choice;
    described_.push_back(detail::concat(description, ": algorithm ", choice.algo, ", ",
                                        math_name(choice.math), ", workspace ",
                                        choice.workspace, " bytes"));
  }
  std::vector<std::string> choices() {
    std::lock_guard<std::mutex> lock(mutex_);
    return described_;
  }

 private:
  static const char* math_name(cudnnMathType_t m) {
    switch (m) {
      case CUDNN_DEFAULT_MATH: return "default math";
      case CUDNN_TENSOR_OP_MATH: return "tensor-op math";
      case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "tensor-op math (conversion)";
      case CUDNN_FMA_MATH: return "FMA math";
      default: return "math type ?";
    }
  }
  std::mutex mutex_;
  std::unordered_map<std::string, AlgoChoice> map_;
  std::vector<std::string> described_;  // in the order chosen
};

AlgoCache& algo_cache() {
  static AlgoCache cache;
  return cache;
}

// A scratch buffer from the caching allocator (freed back to the cache when it goes).
Tensor workspace(size_t bytes, Device device) {
  return Tensor::empty({static_cast<int64_t>(bytes)}, DType::UInt8, device);
}

constexpr size_t kFindWorkspaceCap = size_t(1) << 30;

// The workspace cudnnFind gets: enough for every usable algorithm the heuristics listed,
// up to 1 GiB (algorithms wanting more are then skipped by cuDNN).
template <typename Perf>
size_t find_workspace(const Perf* perf, int count) {
  size_t bytes = 0;
  for (int i = 0; i < count; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= kFindWorkspaceCap)
      bytes = std::max(bytes, perf[i].memory);
  return bytes;
}

// The three passes differ only in which cuDNN functions they call.
AlgoChoice choose(Pass pass, const ConvDescriptors& d, cudnnHandle_t h, const Tensor& x,
                  const Tensor& w, const Tensor& y, const std::string& shapes) {
  const bool find = settings().benchmark;
  int count = 0;
  if (pass == Pass::Forward) {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    TINT_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x.get(), d.w.get(), d.conv.get(),
                                                            d.y.get(),
                                                            CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                                                            &count, perf), shapes);
    if (find) {
      const size_t max_ws = find_workspace(perf, count);
      const Tensor ws = workspace(max_ws, x.device());
      TINT_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(
                           h, d.x.get(), x.raw_data(), d.w.get(), w.raw_data(), d.conv.get(),
                           d.y.get(), y.raw_data(), CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count,
                           perf, ws.raw_data(), max_ws), shapes);
    }
    return pick(perf, count, x.dtype(), shapes, "forward");
  }
  if (pass == Pass::BackwardData) {
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    TINT_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(
                         h, d.w.get(), d.y.get(), d.conv.get(), d.x.get(),
                         CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count, perf), shapes);
    if (find) {
      const size_t max_ws = find_workspace(perf, count);
      const Tensor ws = workspace(max_ws, x.device());
      TINT_CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(
                           h, d.w.get(), w.raw_data(), d.y.get(), y.raw_data(), d.conv.get(),
                           d.x.get(), x.raw_data(), CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                           &count, perf, ws.raw_data(), max_ws), shapes);
    }
    return pick(perf, count, x.dtype(), shapes, "backward-data");
  }
  cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
  TINT_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                       h, d.x.get(), d.y.get(), d.conv.get(), d.w.get(),
                       CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, perf), shapes);
  if (find) {
    const size_t max_ws = find_workspace(perf, count);
    const Tensor ws = workspace(max_ws, x.device());
    TINT_CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(
                         h, d.x.get(), x.raw_data(), d.y.get(), y.raw_data(), d.conv.get(),
                         d.w.get(), w.raw_data(), CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT,
                         &count, perf, ws.raw_data(), max_ws), shapes);
  }
  return pick(perf, count, x.dtype(), shapes, "backward-filter");
}

// Runs one pass: x (image side), w (filter), y (columns side); the pass's output is y for
// Forward, x for BackwardData, w for BackwardFilter (overwritten: beta = 0).
void run_pass(Pass pass, const Tensor& x, const Tensor& w, const Tensor& y, int64_t n, int64_t k,
              const ConvGeometry& g) {
  const Device device = x.device();
  if (n == 0) {  // cuDNN rejects an empty batch: no images, and a zero filter gradient
    if (pass == Pass::BackwardFilter)
      TINT_CUDA_CHECK(cudaMemsetAsync(w.raw_data(), 0, w.nbytes(), stream_of(w)));
    return;
  }
  cudnnHandle_t h = context(device.index).cudnn();
  const ConvDescriptors d(x.dtype(), n, k, g);
  const std::string key = algo_key(pass, x.dtype(), n, k, g, device.index);
  const std::string shapes = shapes_str(n, k, g);
  AlgoChoice choice;
  if (!algo_cache().find(key, &choice)) {
    choice = choose(pass, d, h, x, w, y, shapes);
    const char* names[] = {"forward", "backward-data", "backward-filter"};
    algo_cache().put(key, choice,
                     detail::concat(names[static_cast<int>(pass)], " ", dtype_name(x.dtype()),
                                    " ", shapes));
  }
  // cuDNN selects the kernel by algorithm and math type together (its workspace size is for
  // that pair), so run with the listed math type, as PyTorch does; fp32 without TF32 keeps
  // FMA_MATH (cuDNN then only lists FMA algorithms anyway).
  if (!(x.dtype() == DType::Float32 && !settings().allow_tf32))
    TINT_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv.get(), choice.math), shapes);
  const Tensor ws = workspace(choice.workspace, device);
  const double one_d = 1.0, zero_d = 0.0;
  const float one_f = 1.0f, zero_f = 0.0f;
  const bool dbl = x.dtype() == DType::Float64;
  const void* one = dbl ? static_cast<const void*>(&one_d) : &one_f;
  const void* zero = dbl ? static_cast<const void*>(&zero_d) : &zero_f;
  void* ws_ptr = choice.workspace ? ws.raw_data() : nullptr;
  if (pass == Pass::Forward) {
    TINT_CUDNN_CHECK(cudnnConvolutionForward(
                         h, one, d.x.get(), x.raw_data(), d.w.get(), w.raw_data(), d.conv.get(),
                         static_cast<cudnnConvolutionFwdAlgo_t>(choice.algo), ws_ptr,
                         choice.workspace, zero, d.y.get(), y.raw_data()), shapes);
  } else if (pass == Pass::BackwardData) {
    TINT_CUDNN_CHECK(cudnnConvolutionBackwardData(
                         h, one, d.w.get(), w.raw_data(), d.y.get(), y.raw_data(), d.conv.get(),
                         static_cast<cudnnConvolutionBwdDataAlgo_t>(choice.algo), ws_ptr,
                         choice.workspace, zero, d.x.get(), x.raw_data()), shapes);
  } else {
    TINT_CUDNN_CHECK(cudnnConvolutionBackwardFilter(
                         h, one, d.x.get(), x.raw_data(), d.y.get(), y.raw_data(), d.conv.get(),
                         static_cast<cudnnConvolutionBwdFilterAlgo_t>(choice.algo), ws_ptr,
                         choice.workspace, zero, d.w.get(), w.raw_data()), shapes);
  }
  if (sync_each_op()) TINT_CUDA_CHECK(cudaDeviceSynchronize(), shapes);
}

BiasReluGeometry bias_geometry(const Tensor& t, bool nhwc) {
  const Shape& s = t.shape();
  BiasReluGeometry g;
  g.batch = s[0], g.channels = s[1], g.positions = s[2] * s[3];
  g.channels_last = nhwc;
  return g;
}

void add_bias(const Tensor& out, const Tensor& bias, bool nhwc) {
  if (out.numel() == 0) return;
  if (out.dtype() == DType::BFloat16)
    return bias_add_forward(out, out, bias, bias_geometry(out, nhwc));
  cudnnHandle_t h = context(out.device().index).cudnn();
  const Shape& s = out.shape();
  const TensorDescriptor od(out.dtype(), s[0], s[1], s[2], s[3], nhwc);
  const TensorDescriptor bd(out.dtype(), 1, s[1], 1, 1);
  const double one_d = 1.0;
  const float one_f = 1.0f;
  const void* one = out.dtype() == DType::Float64 ? static_cast<const void*>(&one_d) : &one_f;
  TINT_CUDNN_CHECK(cudnnAddTensor(h, one, bd.get(), bias.raw_data(), one, od.get(),
                                  out.raw_data()), "(bias of ", shape_str(s), ")");
}

void bias_grad(const Tensor& grad_bias, const Tensor& grad_out, bool nhwc) {
  if (grad_out.numel() == 0) {  // an empty batch: the sum is zero
    TINT_CUDA_CHECK(cudaMemsetAsync(grad_bias.raw_data(), 0, grad_bias.nbytes(),
                                    stream_of(grad_bias)));
    return;
  }
  if (grad_out.dtype() == DType::BFloat16)
    return bias_add_grad(grad_bias, grad_out, bias_geometry(grad_out, nhwc));
  cudnnHandle_t h = context(grad_out.device().index).cudnn();
  const Shape& s = grad_out.shape();
  const TensorDescriptor gd(grad_out.dtype(), s[0], s[1], s[2], s[3], nhwc);
  const TensorDescriptor bd(grad_out.dtype(), 1, s[1], 1, 1);
  const double one_d = 1.0, zero_d = 0.0;
  const float one_f = 1.0f, zero_f = 0.0f;
  const bool dbl = grad_out.dtype() == DType::Float64;
  TINT_CUDNN_CHECK(cudnnConvolutionBackwardBias(
                       h, dbl ? static_cast<const void*>(&one_d) : &one_f, gd.get(),
                       grad_out.raw_data(), dbl ? static_cast<const void*>(&zero_d) : &zero_f,
                       bd.get(), grad_bias.raw_data()), "(bias gradient of ", shape_str(s), ")");
}

}  // namespace

std::vector<std::string> conv_algorithm_choices() { return algo_cache().choices(); }

void conv2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                    const Tensor& bias, const ConvGeometry& g) {
  const int64_t n = input.shape()[0], k = weight.shape()[0];
  run_pass(Pass::Forward, input, weight, out, n, k, g);
  if (bias.defined()) add_bias(out, bias, g.channels_last);
}

void conv2d_backward(const Tensor& grad_input, const Tensor& grad_weight,
                     const Tensor& grad_bias, const Tensor& grad_out, const Tensor& input,
                     const Tensor& weight, const ConvGeometry& g) {
  const int64_t n = input.shape()[0], k = weight.shape()[0];
  if (grad_input.defined()) run_pass(Pass::BackwardData, grad_input, weight, grad_out, n, k, g);
  if (grad_weight.defined()) run_pass(Pass::BackwardFilter, input, grad_weight, grad_out, n, k, g);
  if (grad_bias.defined()) bias_grad(grad_bias, grad_out, g.channels_last);
}

void conv_transpose2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                              const Tensor& bias, const ConvGeometry& g) {
  const int64_t n = input.shape()[0], k = weight.shape()[0];  // k = C_in (columns side)
  run_pass(Pass::BackwardData, out, weight, input, n, k, g);
  if (bias.defined()) add_bias(out, bias, g.channels_last);
}

void conv_transpose2d_backward(const Tensor& grad_input, const Tensor& grad_weight,
                               const Tensor& grad_bias, const Tensor& grad_out,
                               const Tensor& input, const Tensor& weight,
                               const ConvGeometry& g) {
  const int64_t n = input.shape()[0], k = weight.shape()[0];
  if (grad_input.defined()) run_pass(Pass::Forward, grad_out, weight, grad_input, n, k, g);
  if (grad_weight.defined()) run_pass(Pass::BackwardFilter, grad_out, grad_weight, input, n, k, g);
  if (grad_bias.defined()) bias_grad(grad_bias, grad_out, g.channels_last);
}

}  // namespace tint::cuda
