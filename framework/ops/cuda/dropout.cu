// cuDNN dropout with per-device states. cudnnSetDropoutDescriptor initialises the RNG states
// (slow: done once per device and seed); a new p reuses them via cudnnRestoreDropoutDescriptor.
#include <map>
#include <mutex>

#include "framework/cuda/cudnn_descriptors.h"
#include "framework/ops/cuda/dropout.h"
#include "framework/ops/cuda/launch.cuh"

namespace tint::cuda {

namespace {

struct DropoutState {
  Tensor states;
  cudnnDropoutDescriptor_t desc = nullptr;
  double p = -1;
  uint64_t seed = 0;
  bool seeded = false;
};

std::mutex& state_mutex() {
  static std::mutex m;
  return m;
}

// The device's descriptor set to p, and (re)seeded when seed is given and differs from the
// current one; the caller holds state_mutex().
cudnnDropoutDescriptor_t descriptor(int device, double p, const uint64_t* new_seed) {
  static std::map<int, DropoutState>* states = new std::map<int, DropoutState>();  // leaked
  DropoutState& st = (*states)[device];
  cudnnHandle_t h = context(device).cudnn();
  if (!st.desc) TINT_CUDNN_CHECK(cudnnCreateDropoutDescriptor(&st.desc));
  const uint64_t seed = new_seed ? *new_seed : st.seed;
  if (!st.seeded || st.seed != seed) {
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
                                                   seed));
    st.p = p;
  }
  return st.desc;
}

}  // namespace

Tensor dropout_forward(const Tensor& out, const Tensor& x, double p, uint64_t seed) {
  const int device = x.device().index;
  const TensorDescriptor d(x.dtype(), 1, 1, 1, x.numel());
  size_t reserve_bytes = 0;
  TINT_CUDNN_CHECK(cudnnDropoutGetReserveSpaceSize(d.get(), &reserve_bytes));
  Tensor reserve = Tensor::empty({static_cast<int64_t>(reserve_bytes)}, DType::UInt8, x.device());
  std::lock_guard<std::mutex> lock(state_mutex());
  TINT_CUDNN_CHECK(cudnnDropoutForward(context(device).cudnn(), descriptor(device, p, &seed),
                                       d.get(), x.raw_data(), d.get(), out.raw_data(),
                                       reserve.raw_data(), reserve_bytes),
                   "(dropout of ", shape_str(x.shape()), ")");
  return reserve;
}

void dropout_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& reserve,
                      double p) {
  const int device = grad_out.device().index;
  const TensorDescriptor d(grad_out.dtype(), 1, 1, 1, grad_out.numel());
  std::lock_guard<std::mutex> lock(state_mutex());
  // The mask lives in the reserve space; the descriptor only has to carry the same p.
  TINT_CUDNN_CHECK(cudnnDropoutBackward(context(device).cudnn(), descriptor(device, p, nullptr),
                                        d.get(),
                                        grad_out.raw_data(), d.get(), grad_in.raw_data(),
                                        reserve.raw_data(), reserve.nbytes()),
                   "(dropout backward of ", shape_str(grad_out.shape()), ")");
}

}  // namespace tint::cuda
