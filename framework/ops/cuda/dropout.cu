// cuDNN dropout with per-device states. cudnnSetDropoutDescriptor initialises the RNG states,
// which is slow, so it runs once per device, seeded by the first caller's seed; later calls
// (other layers, other seeds) draw from the same states, and a new p reuses them through
// cudnnRestoreDropoutDescriptor.
#include <map>
#include <mutex>

#include "framework/cuda/cudnn_descriptors.h"
#include "framework/ops/cuda/dropout.h"
#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/math/dropout.h"
#include "framework/tensor/layout.h"

namespace tint::cuda {

namespace {

// A device's dropout state: cuDNN's descriptor and generator states, and the counter offset
// of the replays (dropout_replay_offset).
struct DropoutState {
  Tensor states;
  cudnnDropoutDescriptor_t desc = nullptr;
  double p = -1;
  uint64_t seed = 0;
  bool seeded = false;
  Tensor replay_offset;
};

std::mutex& state_mutex() {
  static std::mutex m;
  return m;
}

// The device's state; the caller holds state_mutex().
DropoutState& state_of(int device) {
  static std::map<int, DropoutState>* states = new std::map<int, DropoutState>();  // leaked
  return (*states)[device];
}

// The device's descriptor set to p; the states are seeded with seed on first use. The caller
// holds state_mutex().
cudnnDropoutDescriptor_t descriptor(int device, double p, uint64_t seed) {
  DropoutState& st = state_of(device);
  cudnnHandle_t h = context(device).cudnn();
  if (!st.desc) TINT_CUDNN_CHECK(cudnnCreateDropoutDescriptor(&st.desc));
  if (!st.seeded) {
    size_t bytes = 0;
    TINT_CUDNN_CHECK(cudnnDropoutGetStatesSize(h, &bytes));
    st.states = Tensor::empty({static_cast<int64_t>(bytes)}, DType::UInt8, Device::cuda(device));
    TINT_CUDNN_CHECK(cudnnSetDropoutDescriptor(st.desc, h, static_cast<float>(p),
                                               st.states.raw_data(), bytes, seed));
    st.seeded = true;
    st.seed = seed;
    st.p = p;
  } else if (st.p != p) {
    TINT_CUDNN_CHECK(cudnnRestoreDropoutDescriptor(st.desc, h, static_cast<float>(p),
                                                   st.states.raw_data(), st.states.nbytes(),
                                                   st.seed));
    st.p = p;
  }
  return st.desc;
}

// Element s of storage is the logical element i (NCHW row-major) that draws counter first + i:
// s itself for contiguous data, math::nhwc_logical_index for channels_last data (channels >
// 0), so every layout draws the same mask as the cpu. bfloat16 computes in float (acc_t) and
// rounds once.
// I: the index arithmetic's type, uint32_t when n < 2^31 (cheaper divisions), else int64_t.
template <typename T, typename I>
__global__ void apply_kernel(T* out, const T* src, int64_t n, uint64_t seed, uint64_t first,
                             const int64_t* replay_offset, double p, int64_t channels,
                             int64_t height, int64_t width) {
  using A = acc_t<T>;
  const A scale = static_cast<A>(math::dropout_scale(p));
  first += static_cast<uint64_t>(*replay_offset);
  TINT_GRID_STRIDE(s, n) {
    const int64_t i =
        channels > 0 ? static_cast<int64_t>(math::nhwc_logical_index<I>(
                           static_cast<I>(s), static_cast<I>(channels), static_cast<I>(height),
                           static_cast<I>(width)))
                     : s;
    out[s] = static_cast<T>(
        math::dropout_apply(static_cast<A>(src[s]), math::dropout_keep(seed, first + i, p), scale));
  }
}
}  // namespace

void dropout_apply(const Tensor& out, const Tensor& src, uint64_t seed, uint64_t first, double p) {
  const int64_t n = src.numel();
  if (n == 0) return;
  const bool nhwc = is_nhwc(src);
  const int64_t channels = nhwc ? src.shape()[1] : 0;
  const int64_t height = nhwc ? src.shape()[2] : 0, width = nhwc ? src.shape()[3] : 0;
  const Tensor& offset = dropout_replay_offset(src.device().index);
  const bool small = n < (int64_t(1) << 31);
  TINT_DISPATCH_FLOATING_BF16(src.dtype(), "dropout", [&] {
    const auto launch = [&](auto* kernel) {
      kernel<<<blocks_for(n), kThreads, 0, stream_of(src)>>>(
          out.data_ptr<scalar_t>(), src.data_ptr<const scalar_t>(), n, seed, first,
          offset.data_ptr<const int64_t>(), p, channels, height, width);
    };
    if (small)
      launch(apply_kernel<scalar_t, uint32_t>);
    else
      launch(apply_kernel<scalar_t, int64_t>);
  });
  check_launch("dropout_apply");
}

const Tensor& dropout_replay_offset(int device) {
  std::lock_guard<std::mutex> lock(state_mutex());
  Tensor& t = state_of(device).replay_offset;
  if (!t.defined()) {
    t = Tensor::empty({1}, DType::Int64, Device::cuda(device));
    TINT_CUDA_CHECK(cudaMemsetAsync(t.raw_data(), 0, t.nbytes(), stream_of(t)));
  }
  return t;
}

Tensor dropout_forward(const Tensor& out, const Tensor& x, double p, uint64_t seed) {
  const int device = x.device().index;
  // cuDNN rejects a 0-element descriptor: nothing to drop, and an empty reserve.
  if (x.numel() == 0) return Tensor::empty({0}, DType::UInt8, x.device());
  const TensorDescriptor d(x.dtype(), 1, 1, 1, x.numel());
  size_t reserve_bytes = 0;
  TINT_CUDNN_CHECK(cudnnDropoutGetReserveSpaceSize(d.get(), &reserve_bytes));
  Tensor reserve = Tensor::empty({static_cast<int64_t>(reserve_bytes)}, DType::UInt8, x.device());
  std::lock_guard<std::mutex> lock(state_mutex());
  TINT_CUDNN_CHECK(cudnnDropoutForward(context(device).cudnn(), descriptor(device, p, seed),
                                       d.get(), x.raw_data(), d.get(), out.raw_data(),
                                       reserve.raw_data(), reserve_bytes),
                   "(dropout of ", shape_str(x.shape()), ")");
  return reserve;
}

void dropout_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& reserve,
                      double p) {
  const int device = grad_out.device().index;
  if (grad_out.numel() == 0) return;
  const TensorDescriptor d(grad_out.dtype(), 1, 1, 1, grad_out.numel());
  std::lock_guard<std::mutex> lock(state_mutex());
  // The mask lives in the reserve space; the descriptor only has to carry the same p.
  TINT_CUDNN_CHECK(cudnnDropoutBackward(context(device).cudnn(), descriptor(device, p, 0),
                                        d.get(),
                                        grad_out.raw_data(), d.get(), grad_in.raw_data(),
                                        reserve.raw_data(), reserve.nbytes()),
                   "(dropout backward of ", shape_str(grad_out.shape()), ")");
}

}  // namespace tint::cuda
