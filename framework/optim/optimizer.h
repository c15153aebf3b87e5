// Optimizers over a list of named parameters: SGD (momentum, Nesterov, weight decay), Adam
// (L2 weight decay added to the gradient, as torch.optim.Adam) and AdamW (decoupled decay).
// Each keeps its per-parameter state as tensors so that a checkpoint can save and restore it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "framework/io/safetensors.h"
#include "framework/tensor/tensor.h"

namespace tint {

using NamedParameters = std::vector<std::pair<std::string, Tensor>>;

class Optimizer {
 public:
  explicit Optimizer(NamedParameters params, double lr);
  virtual ~Optimizer() = default;

  // One update from the parameters' current gradients (parameters without one are skipped).
  virtual void step() = 0;
  void zero_grad();
  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  int64_t step_count() const { return step_count_; }
  const NamedParameters& parameters() const { return params_; }

  // State as named tensors ("<param name>.<slot>", e.g. "model1.0.weight.exp_avg") plus the
  // step count, for checkpoints; load_state checks every name and shape.
  virtual StateDict state() const = 0;
  virtual void load_state(const StateDict& state, int64_t step_count) = 0;

 protected:
  NamedParameters params_;
  double lr_;
  int64_t step_count_ = 0;
};

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

}  // namespace tint
