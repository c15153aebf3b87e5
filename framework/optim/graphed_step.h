// A whole training step (forward, loss, backward, optimizer update) captured once into a CUDA
// graph (framework/cuda/graph.h) and replayed every step, so the host's per-op work (autograd,
// descriptors, hundreds of launches) is paid at capture only:
//   - step 1 runs an ordinary step with the graph's private pool active (cuDNN's choices, the
//     pool's segments, the optimizer's state and its persistent upload table);
//   - step 2 captures forward, loss, backward and the optimizer's update, then replays them;
//     later steps replay. The parameters' gradients live in the pool and each replay
//     overwrites them (zero_grad is not called between steps);
//   - what a replay cannot redo by itself is prepared on the host before it: the optimizer's
//     step-dependent coefficients (step counts, bias corrections, the learning rate of a
//     schedule) are written into its page-locked table, whose upload the graph replays
//     (optim/cuda/multi_tensor.h, MultiTensorMode::StageOnly);
//   - checks an op would read on the host (the colorization loss's NaN counts) are deferred
//     (framework/ops/deferred_checks.h) and verified after each replay, which waits for it.
//   - dropout draws counter-based masks inside the graph (framework/ops/dropout.h), and each
//     replay shifts their counters by what one step draws, so every step gets fresh masks.
// The caller refills the input tensors forward reads in place (copy_) before each step.
// Results equal the eager step's (the same kernels in the same order) for a model without
// dropout; with dropout the masks are other draws than the eager run's (the eager GPU path
// draws float32 masks with cuDNN), equally random. Without CUDA, or for a device that is not
// CUDA, constructing one is a tint::Error.
#pragma once

#include <cstdint>
#include <functional>

#include "framework/core/device.h"
#include "framework/cuda/graph.h"
#include "framework/ops/deferred_checks.h"
#include "framework/optim/optimizer.h"
#include "framework/tensor/tensor.h"

namespace tint {

class GraphedTrainStep {
 public:
  using Forward = std::function<Tensor()>;                   // the model on the fixed inputs
  using Loss = std::function<Tensor(const Tensor& output)>;  // a one-element loss

  GraphedTrainStep(Device device, Forward forward, Loss loss, Optimizer& optimizer);
  ~GraphedTrainStep();
  GraphedTrainStep(const GraphedTrainStep&) = delete;
  GraphedTrainStep& operator=(const GraphedTrainStep&) = delete;

  // One training step; returns its loss (a one-element tensor on the device, a copy).
  Tensor step();
  // Whether the step is captured (from the second step on).
  bool captured() const { return graph_.captured(); }
  // Nodes in the captured graph (0 before capture).
  size_t graph_nodes() const { return graph_.nodes(); }
  // How far the replays have moved the dropout counters past the host generators' offsets
  // (replays x the counters one step draws): a generator's offset plus this is past every
  // counter its layer used, so a checkpoint that saves that sum resumes with fresh masks.
  uint64_t dropout_counters_replayed() const { return replays_ * drawn_per_step_; }

 private:
  // The loss of one step: forward, loss, backward, optimizer update (captured or not).
  Tensor run_step();

  Device device_;
  Forward forward_fn_;
  Loss loss_fn_;
  Optimizer& optimizer_;
  cuda::Graph graph_;
  DeferredChecks checks_;
  Tensor loss_;  // the captured step's loss, rewritten by each replay
  int64_t calls_ = 0;
  uint64_t replays_ = 0, drawn_per_step_ = 0;  // for dropout_counters_replayed()
};

}  // namespace tint
