// Stochastic gradient descent as torch.optim.SGD: weight decay added to the gradient, then
// momentum (the buffer starts as the first gradient, later buf = momentum buf +
// (1 - dampening) g), optionally Nesterov (g + momentum buf). State: "<param>.momentum_buffer"
// for each parameter that has taken a step, only when momentum != 0.
#pragma once

#include <vector>

#include "framework/optim/optimizer.h"

namespace tint {

class SGD : public Optimizer {
 public:
  // A tint::Error for negative hyperparameters, or nesterov without momentum or with
  // dampening (as PyTorch).
  SGD(NamedParameters params, SGDOptions options = {});

  std::string type_name() const override { return "SGD"; }
  void step() override;
  StateDict state() const override;
  void load_state(const StateDict& state, int64_t step_count) override;
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_buffers_;  // per parameter; undefined until its first step
};

}  // namespace tint
