// The schedules' recursive lr updates, transcribed from torch.optim.lr_scheduler's get_lr so
// the sequences agree with PyTorch to the last bit, not only to the closed form.
#include "framework/optim/lr_schedule.h"

#include <cmath>
#include <numbers>

#include "framework/core/error.h"

namespace tint {

LRScheduler::LRScheduler(Optimizer& optimizer)
    : optimizer_(optimizer), base_lr_(optimizer.lr()) {}

void LRScheduler::step() {
  ++last_epoch_;
  optimizer_.set_lr(next_lr(optimizer_.lr()));
}

void LRScheduler::set_last_epoch(int64_t epoch) {
  TINT_CHECK(epoch >= 0, "lr schedule: last epoch must be >= 0, got ", epoch);
  last_epoch_ = epoch;
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  TINT_CHECK(step_size > 0, "StepLR: step_size must be > 0, got ", step_size);
}

double StepLR::next_lr(double current_lr) const {
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return current_lr;
  return current_lr * gamma_;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  TINT_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be > 0, got ", t_max);
}

double CosineAnnealingLR::next_lr(double current_lr) const {
  constexpr double pi = std::numbers::pi;
  const double e = static_cast<double>(last_epoch_), t = static_cast<double>(t_max_);
  if (last_epoch_ == 0) return current_lr;
  // At the bottom of each wave the recursive ratio would be 0/0; PyTorch restarts the climb
  // from the current lr instead.
  if ((last_epoch_ - 1 - t_max_) % (2 * t_max_) == 0)
    return current_lr + (base_lr_ - eta_min_) * (1 - std::cos(pi / t)) / 2;
  return (1 + std::cos(pi * e / t)) / (1 + std::cos(pi * (e - 1) / t)) *
             (current_lr - eta_min_) +
         eta_min_;
}

}  // namespace tint
