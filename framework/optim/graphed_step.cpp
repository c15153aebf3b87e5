// GraphedTrainStep (graphed_step.h): the warm-up step, the capture of the whole step, and the
// replays with the optimizer's table staged before each and the deferred checks after.
#include "framework/optim/graphed_step.h"

#include "framework/cuda/runtime.h"
#include "framework/ops/dropout.h"
#include "framework/optim/cuda/multi_tensor.h"

namespace tint {

namespace {

int cuda_index(Device device) {
  TINT_CHECK(device.is_cuda(), "GraphedTrainStep: CUDA graphs need a CUDA device, got ",
             device.str());
  return device.index;
}

}  // namespace

GraphedTrainStep::GraphedTrainStep(Device device, Forward forward, Loss loss,
                                   Optimizer& optimizer)
    : device_(device),
      forward_fn_(std::move(forward)),
      loss_fn_(std::move(loss)),
      optimizer_(optimizer),
      graph_(cuda_index(device)) {}

GraphedTrainStep::~GraphedTrainStep() {
  try {
    if (captured()) reset_dropout_replay_offset(device_);  // eager dropout as before
  } catch (...) {
  }
}

Tensor GraphedTrainStep::run_step() {
  const Tensor loss = loss_fn_(forward_fn_());
  TINT_CHECK(loss.defined() && loss.numel() == 1 && loss.requires_grad(),
             "GraphedTrainStep: the loss must be a one-element tensor that requires a "
             "gradient, got ", describe(loss));
  loss.backward();
  optimizer_.step();
  return loss.detach();
}

Tensor GraphedTrainStep::step() {
  ++calls_;
  if (calls_ == 1) {  // an ordinary step, its allocations from the graph's pool
    const cuda::MultiTensorModeScope staged(cuda::MultiTensorMode::Staged);
    Tensor loss;
    graph_.warmup([&] {
      optimizer_.zero_grad();
      loss = run_step();
    });
    return loss;
  }
  if (calls_ == 2) {
    optimizer_.zero_grad();  // the gradients are allocated inside the graph
    advance_dropout_replay_offset(device_, 0);  // made before the capture, not inside it
    const cuda::MultiTensorModeScope staged(cuda::MultiTensorMode::Staged);
    const DeferredChecks::Scope deferred(checks_);
    graph_.capture([&] {
      const uint64_t drawn_before = Generator::total_taken();
      loss_ = run_step();
      // Each replay then shifts the dropout counters past this step's: fresh masks.
      drawn_per_step_ = Generator::total_taken() - drawn_before;
      advance_dropout_replay_offset(device_, drawn_per_step_);
    });
    // The capture ran the optimizer's host side for this step: its table is staged.
  } else {
    const cuda::MultiTensorModeScope stage_only(cuda::MultiTensorMode::StageOnly);
    optimizer_.step();  // host side only: this step's coefficients into the staged table
  }
  graph_.replay();
  ++replays_;
  cuda::synchronize(device_.index);  // the staged table is free again; the checks can be read
  checks_.verify();
  return loss_.clone();
}

}  // namespace tint
