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
  if (is_bfloat16(input) && training && p != 0.0 && !input.device().is_cuda())
    return through_float32([&](const Tensor& x) { return dropout(x, p, training, gen); }, input);
  // Identity: the same tensor comes back, so its history is untouched and no counters are
  // consumed (eval passes do not shift the training masks that follow).
  if (!training || p == 0.0) return input;
  const uint64_t seed = gen.seed();
  const uint64_t first = gen.take(static_cast<uint64_t>(input.numel()));
#if defined(TINT_WITH_CUDA)
  if (input.device().is_cuda() && p < 1.0 && !is_bfloat16(input) &&
      !cuda::stream_capturing(input.device().index)) {
    // cuDNN drops elements in storage order, so a channels_last input stays so (its mask then
    // differs from a contiguous input's, as any two draws do).
    const Tensor x = dense_like(input, input);
    Tensor out = empty_like_layout(x, input.dtype());
    const Tensor reserve = cuda::dropout_forward(out, x, p, seed);
    const bool nhwc = !out.is_contiguous();
    return record(out, "dropout", {input}, [reserve, p, nhwc](const Tensor& g,
                                                              const std::vector<bool>&)
                                               -> std::vector<Tensor> {
      Tensor gi = nhwc ? empty_channels_last(g.shape(), g.dtype(), g.device())
                       : Tensor::empty(g.shape(), g.dtype(), g.device());
      cuda::dropout_backward(gi, nhwc ? channels_last_copy(g) : g.contiguous(), reserve, p);
      return {gi};
    });
  }
#endif
  // The counter-based mask: the CPU (contiguous), and the GPU's bfloat16 and p = 1 (any
  // dense layout kept; the same mask as the CPU's).
  const bool nhwc = input.device().is_cuda() && is_channels_last(input) && !input.is_contiguous();
  const Tensor xc = nhwc ? input.detach() : input.detach().contiguous();
  Tensor out = empty_like_layout(xc, input.dtype());
  TINT_DEVICE_CALL(out.device(), dropout_apply, out, xc, seed, first, p);
  return record(out, "dropout", {input}, [seed, first, p, nhwc](const Tensor& g,
                                                                const std::vector<bool>&)
                                             -> std::vector<Tensor> {
    const Tensor gc = nhwc ? channels_last_copy(g) : g.contiguous();
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
