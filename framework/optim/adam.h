// Adam and AdamW as torch.optim.Adam / torch.optim.AdamW (amsgrad off). Adam adds
// weight_decay * p to the gradient (L2); AdamW instead shrinks the parameter by
// (1 - lr * weight_decay) before the update (decoupled decay; PyTorch's default 0.01).
// Per-parameter state as PyTorch keeps it: "<param>.exp_avg", "<param>.exp_avg_sq" and
// "<param>.step" (int64 scalar; a parameter's own count of the steps it took part in).
#pragma once

#include <vector>

#include "framework/optim/optimizer.h"

namespace tint {

// torch.optim.AdamW's defaults.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

class Adam : public Optimizer {
 public:
  // A tint::Error for betas outside [0, 1) or negative lr / eps / weight_decay.
  Adam(NamedParameters params, AdamOptions options = {});

  std::string type_name() const override { return decoupled_ ? "AdamW" : "Adam"; }
  void step() override;
  StateDict state() const override;
  void load_state(const StateDict& state, int64_t step_count) override;
  const AdamOptions& options() const { return options_; }

 protected:
  Adam(NamedParameters params, AdamOptions options, bool decoupled);

 private:
  struct ParamState {
    Tensor exp_avg, exp_avg_sq;  // undefined until the parameter's first step
    int64_t step = 0;
  };
  AdamOptions options_;
  bool decoupled_;
  std::vector<ParamState> state_;
};

class AdamW : public Adam {
 public:
  AdamW(NamedParameters params, AdamWOptions options = {});
};

}  // namespace tint
