// Inverted dropout: in training zeroes each element with probability p and scales the rest by
// 1/(1-p); p must be in [0, 1] and p = 1 gives zeros. In eval, or with p = 0, the input
// itself is returned and no random counters are used. Element i of a call is dropped when
// rnd::uniform(gen.seed(), first + i) < p, where first = gen.take(numel), so a seed gives the
// same mask on every device; the backward regenerates that mask instead of storing it.
// On the GPU, float32/float64 dropout uses cuDNN (its own states and reserve space), except
// while a CUDA graph captures (framework/cuda/graph.h): then, as for bfloat16 always, the
// counter-based kernel, whose counters a replay shifts by the device's replay offset.
#pragma once

#include "framework/core/generator.h"
#include "framework/tensor/tensor.h"

namespace tint {

Tensor dropout(const Tensor& input, double p, bool training, Generator& gen);
Tensor dropout(const Tensor& input, double p, bool training);  // default generator

// For CUDA graphs (framework/optim/graphed_step.h): adds `counters` to the device's dropout
// replay offset (enqueued on its stream, so captured into a graph it runs at every replay;
// counters = 0 only makes sure the offset exists), or sets it back to 0. No-ops for a device
// that is not CUDA.
void advance_dropout_replay_offset(Device device, uint64_t counters);
void reset_dropout_replay_offset(Device device);

}  // namespace tint
