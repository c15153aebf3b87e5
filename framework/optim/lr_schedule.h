// Learning-rate schedules as torch.optim.lr_scheduler: StepLR and CosineAnnealingLR. Call
// step() once per epoch after the optimizer's steps. Like PyTorch's, the update is chainable:
// each step derives the new lr from the optimizer's current one, so a schedule resumed from a
// checkpoint (optimizer lr restored, then set_last_epoch) continues exactly where it stopped.
#pragma once

#include <cstdint>

#include "framework/optim/optimizer.h"

namespace tint {

class LRScheduler {
 public:
  // Records the optimizer's current lr as the base lr (PyTorch's initial_lr); the optimizer
  // must outlive the scheduler.
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;

  // Advances one epoch and sets the optimizer's lr.
  void step();
  int64_t last_epoch() const { return last_epoch_; }
  // For resuming: the number of step() calls made before the checkpoint.
  void set_last_epoch(int64_t epoch);
  double base_lr() const { return base_lr_; }
  double last_lr() const { return optimizer_.lr(); }

 protected:
  // The lr for last_epoch_ (already advanced), given the optimizer's current lr.
  virtual double next_lr(double current_lr) const = 0;
  Optimizer& optimizer_;
  double base_lr_;
  int64_t last_epoch_ = 0;
};

// lr = base_lr * gamma^(floor(epoch / step_size)).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  double next_lr(double current_lr) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2, continuing as a cosine
// wave past T_max (as PyTorch's recursive form does).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0.0);

 protected:
  double next_lr(double current_lr) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

}  // namespace tint
