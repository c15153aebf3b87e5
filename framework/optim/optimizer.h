// Optimizers over a list of named parameters: SGD (momentum, Nesterov, weight decay), Adam
// (L2 weight decay added to the gradient, as torch.optim.Adam) and AdamW (decoupled decay).
// Each keeps its per-parameter state as tensors so that a checkpoint can save and restore it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/io/safetensors.h"
#include "framework/tensor/tensor.h"

namespace tint {

using NamedParameters = std::vector<std::pair<std::string, Tensor>>;

namespace cuda {
struct MultiTensorStaging;  // optim/cuda/multi_tensor.h
}

// Parameters are updated in place under no-grad with host loops over contiguous float32 /
// float64 data; the per-element arithmetic lives in optim/math/*.h (TINT_HD) so a fused CUDA
// kernel can share it. Create an optimizer after Module::to(): state tensors are made on the
// parameters' device at the first step.
class Optimizer {
 public:
  // Names must be unique and every tensor a defined floating tensor; a tint::Error otherwise.
  explicit Optimizer(NamedParameters params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // "SGD", "Adam", "AdamW": recorded in checkpoints so a mismatch is caught on load.
  virtual std::string type_name() const = 0;
  // One update from the parameters' current gradients (parameters without one are skipped).
  virtual void step() = 0;
  void zero_grad();  // drops every parameter's gradient (as PyTorch's set_to_none)
  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  int64_t step_count() const { return step_count_; }
  const NamedParameters& parameters() const { return params_; }

  // State as named tensors ("<param name>.<slot>", e.g. "model1.0.weight.exp_avg") plus the
  // step count, for checkpoints; load_state checks every name and shape. state() returns the
  // live tensors (clone them to keep a snapshot); load_state copies values in.
  virtual StateDict state() const = 0;
  virtual void load_state(const StateDict& state, int64_t step_count) = 0;

 protected:
  // The gradient of parameter i, contiguous and checked against the parameter (same shape,
  // dtype, device; parameter contiguous on the cpu), or an undefined tensor when it has none.
  Tensor checked_grad(size_t i) const;

  // A per-parameter state slot: a tensor shaped like the parameter, or a step counter (saved
  // as a 0-d int64 tensor).
  struct StateSlot {
    std::string name;
    bool is_step = false;
  };
  // Validates a state dict against the parameters and slots before anything is changed:
  // every key must be "<param>.<slot>", shapes must match, and a parameter has all of its
  // slots or none. Returns, per parameter, its slot tensors converted to the parameter's
  // dtype and device (steps as int64 cpu scalars), or an empty vector when it has no state.
  std::vector<std::vector<Tensor>> parse_state(const StateDict& state,
                                               const std::vector<StateSlot>& slots,
                                               int64_t step_count) const;

  NamedParameters params_;
  double lr_;
  int64_t step_count_ = 0;
  // The GPU step's persistent upload tables (optim/cuda/multi_tensor.h), made at first use
  // (CUDA builds only).
  cuda::MultiTensorStaging& gpu_staging();

 private:
  std::shared_ptr<cuda::MultiTensorStaging> gpu_staging_;
};

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

// torch.optim.Adam's defaults. AdamW has its own options (adam.h) because its default
// weight decay differs (0.01).
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

}  // namespace tint
