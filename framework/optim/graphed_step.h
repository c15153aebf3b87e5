// A training step replayed from CUDA graphs (framework/cuda/graph.h), so the host's per-op
// work of the model's forward and backward (autograd, descriptors, hundreds of launches) is
// paid once, at capture:
//   - the model's forward on fixed input tensors is one graph; its backward from the output's
//     gradient another (both in one private pool, so the backward reuses what the forward
//     frees, as an eager step does);
//   - the loss and the optimizer run eagerly between and after the replays: the loss reads
//     its NaN checks on the host, and Adam uploads its step-dependent coefficients, which a
//     replay would repeat.
// The first step() runs an ordinary step with the pool active (cuDNN's choices, the pool's
// segments, the optimizer's state); the second captures, then replays; later ones replay.
// The parameters' gradients live in the pool and are overwritten by each replay (zero_grad
// is not called between steps). The caller refills the input tensors forward reads in place
// (copy_) before each step.
// Results equal the eager step's (the same kernels in the same order), except that a replay
// repeats the random draws of its capture: dropout masks are the same every step. Use it
// where the model has no dropout in training (eccv16), or for timing (apps/bench_train).
// Without CUDA, constructing one is a tint::Error.
#pragma once

#include <functional>
#include <memory>

#include "framework/core/device.h"
#include "framework/cuda/graph.h"
#include "framework/optim/optimizer.h"
#include "framework/tensor/tensor.h"

namespace tint {

class GraphedTrainStep {
 public:
  using Forward = std::function<Tensor()>;                 // the model on the fixed inputs
  using Loss = std::function<Tensor(const Tensor& output)>;  // a one-element loss

  GraphedTrainStep(Device device, Forward forward, Loss loss, Optimizer& optimizer);

  // One training step; returns its loss (a one-element tensor on the device).
  Tensor step();
  // Whether the graphs are captured (after the second step).
  bool captured() const { return backward_.captured(); }
  // Nodes in the two graphs (0 before capture).
  size_t graph_nodes() const { return forward_graph_nodes() + backward_.nodes(); }

 private:
  size_t forward_graph_nodes() const { return forward_.nodes(); }
  // The loss of the output and the output's gradient (into grad_), eagerly.
  Tensor loss_and_output_grad(const Tensor& output);

  Device device_;
  Forward forward_fn_;
  Loss loss_fn_;
  Optimizer& optimizer_;
  cuda::Graph forward_;
  cuda::Graph backward_;
  Tensor output_, grad_;
  int64_t calls_ = 0;
};

}  // namespace tint
