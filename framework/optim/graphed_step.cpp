// GraphedTrainStep (graphed_step.h): warm-up, capture of the forward and backward graphs,
// and replays around the eager loss and optimizer step.
#include "framework/optim/graphed_step.h"

#include "framework/tensor/layout.h"

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
      forward_(cuda_index(device)),
      backward_(device.index, &forward_) {}

Tensor GraphedTrainStep::loss_and_output_grad(const Tensor& output) {
  const Tensor out = output.detach().set_requires_grad();
  const Tensor loss = loss_fn_(out);
  TINT_CHECK(loss.defined() && loss.numel() == 1,
             "GraphedTrainStep: the loss must be a one-element tensor, got ", describe(loss));
  loss.backward();
  grad_.copy_(out.grad());
  return loss.detach();
}

Tensor GraphedTrainStep::step() {
  ++calls_;
  if (calls_ == 1) {  // an ordinary step, its allocations from the graphs' pool
    Tensor loss;
    forward_.warmup([&] {
      optimizer_.zero_grad();
      loss = loss_fn_(forward_fn_());
      loss.backward();
      optimizer_.step();
    });
    return loss.detach();
  }
  if (calls_ == 2) {
    optimizer_.zero_grad();  // the gradients are allocated inside the backward graph
    forward_.capture([&] { output_ = forward_fn_(); });
    TINT_CHECK(output_.defined() && output_.requires_grad(),
               "GraphedTrainStep: the forward must return a tensor that requires a gradient");
    grad_ = empty_like_layout(output_, output_.dtype());
    backward_.capture([&] { output_.backward(grad_); });
  }
  forward_.replay();
  const Tensor loss = loss_and_output_grad(output_);
  backward_.replay();
  optimizer_.step();
  return loss;
}

}  // namespace tint
