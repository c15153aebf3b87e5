// Fused optimizer updates on the GPU: one kernel launch updates every parameter of a step
// (a "multi-tensor apply"): the host lists each parameter's pointers, size and coefficients,
// the kernel walks fixed-size chunks of all of them. The per-element math is the same
// optim_math functions the CPU loops call.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "framework/tensor/tensor.h"
#include "framework/optim/math/adam.h"
#include "framework/optim/math/sgd.h"

namespace tint::cuda {

template <typename T>
struct AdamSlot {
  T* p;
  const T* g;
  T* m;
  T* v;
  int64_t n;
  optim_math::AdamCoefficients<T> c;
};

template <typename T>
struct SgdSlot {
  T* p;
  const T* g;
  T* buf;  // null without momentum
  int64_t n;
  optim_math::SGDCoefficients<T> c;
};

// The GPU parameters of one step, by dtype (add() picks the list by the slot's type).
template <template <typename> class Slot>
struct SlotLists {
  std::vector<Slot<float>> f32;
  std::vector<Slot<double>> f64;
  Device device;
  // Tensors the slots point into that nothing else owns (a contiguous copy of a gradient),
  // kept alive until the launch.
  std::vector<Tensor> hold;
  // Claims parameter p (with gradient g) for this list: all must share one device.
  void claim(const Tensor& p, const Tensor& g, const std::string& optimizer) {
    TINT_CHECK(empty() || device == p.device(), optimizer, ": parameters on ", device.str(),
               " and ", p.device().str(), " cannot be updated by one optimizer");
    device = p.device();
    hold.push_back(g);
  }
  void add(const Slot<float>& s) { f32.push_back(s); }
  void add(const Slot<double>& s) { f64.push_back(s); }
  bool empty() const { return f32.empty() && f64.empty(); }
};

// How the optimizers' GPU step uploads its table (process-wide; plain C++, so
// framework/optim/graphed_step.h sets it in any build):
//   Launch     — a fresh device copy each step (waits for the upload): the default;
//   Staged     — the optimizer's persistent table (multi_tensor_staging below): the same
//                device buffer and page-locked host copy every step, uploaded asynchronously,
//                so a CUDA graph that captures the step replays the upload from the host copy;
//   StageOnly  — only rewrite that host copy with this step's coefficients (nothing is
//                launched): before a replay of a captured step. The slots' pointers must be
//                those of the capture, else a tint::Error.
enum class MultiTensorMode { Launch, Staged, StageOnly };
MultiTensorMode& multi_tensor_mode();

// Sets multi_tensor_mode() for a scope.
class MultiTensorModeScope {
 public:
  explicit MultiTensorModeScope(MultiTensorMode mode) : saved_(multi_tensor_mode()) {
    multi_tensor_mode() = mode;
  }
  ~MultiTensorModeScope() { multi_tensor_mode() = saved_; }
  MultiTensorModeScope(const MultiTensorModeScope&) = delete;
  MultiTensorModeScope& operator=(const MultiTensorModeScope&) = delete;

 private:
  MultiTensorMode saved_;
};

// An optimizer's persistent tables for the Staged and StageOnly modes (one per dtype).
struct MultiTensorStaging;
std::shared_ptr<MultiTensorStaging> make_multi_tensor_staging();

// staging: the optimizer's (used in the Staged and StageOnly modes).
void adam_multi_tensor(const std::vector<AdamSlot<float>>& slots, Device device,
                       MultiTensorStaging& staging);
void adam_multi_tensor(const std::vector<AdamSlot<double>>& slots, Device device,
                       MultiTensorStaging& staging);
void sgd_multi_tensor(const std::vector<SgdSlot<float>>& slots, Device device,
                      MultiTensorStaging& staging);
void sgd_multi_tensor(const std::vector<SgdSlot<double>>& slots, Device device,
                      MultiTensorStaging& staging);

}  // namespace tint::cuda
