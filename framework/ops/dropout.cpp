// Public dropout: argument checks, the kernels, and the backward node. On the CPU the node
// keeps only (seed, first counter, p): the mask is a pure function of those, so the backward
// regenerates it rather than holding a mask tensor. On the GPU, cuDNN dropout keeps its
// reserve space instead (p = 1 uses the counter-based kernel there too: all zeros). bfloat16
// uses the counter-based kernel on the GPU (the CPU's mask, no reserve space) and goes through
// float32 on the CPU (ops/mixed_precision.h), with the same mask as float32.
#include "framework/ops/dropout.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/dropout.h"
#include "framework/ops/cuda/dropout.h"
#include "framework/autograd/grad_mode.h"
#include "framework/cuda/runtime.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/mixed_precision.h"
#include "framework/tensor/layout.h"

namespace tint {

Tensor dropout(const Tensor& input, double p, bool training, Generator& gen) {
  check_floating(input, "dropout", "the input");
  TINT_CHECK(p >= 0.0 && p <= 1.0, "dropout: probability p must be in [0, 1], got ", p);
  // Identity: the same tensor comes back, so its history is untouched and no counters are
  // consumed (eval passes do not shift the training masks that follow).
  if (!training || p == 0.0) return input;
  if (is_bfloat16(input) && !input.device().is_cuda())
    return through_float32([&](const Tensor& x) { return dropout(x, p, training, gen); }, input);
  const uint64_t seed = gen.seed();
  const uint64_t first = gen.take(static_cast<uint64_t>(input.numel()));
  // The GPU kernels keep a channels_last input so (cuDNN and the counter-based kernel both
  // work in storage order); the CPU's take NCHW.
  const bool nhwc = input.device().is_cuda() && is_nhwc(input);
  const Tensor xc = dense_copy(input, nhwc);
  Tensor out = empty_like_layout(xc, input.dtype());
#if defined(TINT_WITH_CUDA)
  if (input.device().is_cuda() && p < 1.0 && !is_bfloat16(input) &&
      !cuda::stream_capturing(input.device().index)) {
    // cuDNN's mask of a channels_last input differs from a contiguous input's, as any two
    // draws do.
    const Tensor reserve = cuda::dropout_forward(out, xc, p, seed);
    return record(out, "dropout", {input}, [reserve, p, nhwc](const Tensor& g,
                                                              const std::vector<bool>&)
                                               -> std::vector<Tensor> {
      const Tensor gc = dense_copy(g, nhwc);
      Tensor gi = empty_like_layout(gc, g.dtype());
      cuda::dropout_backward(gi, gc, reserve, p);
      return {gi};
    });
  }
#endif
  // The counter-based mask: the CPU, and the GPU's bfloat16, p = 1 and captured steps (the
  // same mask as the CPU's in either layout).
  TINT_DEVICE_CALL(out.device(), dropout_apply, out, xc, seed, first, p);
  return record(out, "dropout", {input}, [seed, first, p, nhwc](const Tensor& g,
                                                                const std::vector<bool>&)
                                             -> std::vector<Tensor> {
    const Tensor gc = dense_copy(g, nhwc);
    Tensor gi = empty_like_layout(gc, g.dtype());
    TINT_DEVICE_CALL(gi.device(), dropout_apply, gi, gc, seed, first, p);
    return {gi};
  });
}

Tensor dropout(const Tensor& input, double p, bool training) {
  return dropout(input, p, training, default_generator());
}

void advance_dropout_replay_offset(Device device, uint64_t counters) {
#if defined(TINT_WITH_CUDA)
  if (!device.is_cuda()) return;
  NoGradGuard no_grad;
  Tensor offset = cuda::dropout_replay_offset(device.index);
  if (counters > 0) offset.copy_(add(offset, static_cast<double>(counters)));
#else
  (void)device, (void)counters;
#endif
}

void reset_dropout_replay_offset(Device device) {
#if defined(TINT_WITH_CUDA)
  if (!device.is_cuda()) return;
  Tensor(cuda::dropout_replay_offset(device.index)).fill_(0.0);
#else
  (void)device;
#endif
}

}  // namespace tint
