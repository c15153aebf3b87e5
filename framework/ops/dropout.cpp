// Public dropout: argument checks, the CPU kernel, and a node that keeps only (seed, first
// counter, p). The mask is a pure function of those, so the backward regenerates it rather
// than holding a mask tensor for the whole forward-backward interval.
#include "framework/ops/dropout.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/dropout.h"

namespace tint {

Tensor dropout(const Tensor& input, double p, bool training, Generator& gen) {
  check_floating(input, "dropout", "the input");
  TINT_CHECK(p >= 0.0 && p <= 1.0, "dropout: probability p must be in [0, 1], got ", p);
  // Identity: the same tensor comes back, so its history is untouched and no counters are
  // consumed (eval passes do not shift the training masks that follow).
  if (!training || p == 0.0) return input;
  require_cpu("dropout", {input});
  const uint64_t seed = gen.seed();
  const uint64_t first = gen.take(static_cast<uint64_t>(input.numel()));
  const Tensor xc = input.detach().contiguous();
  Tensor out = Tensor::empty(input.shape(), input.dtype(), input.device());
  cpu::dropout_apply(out, xc, seed, first, p);
  return record(out, "dropout", {input}, [seed, first, p](const Tensor& g, const std::vector<bool>&)
                                             -> std::vector<Tensor> {
    Tensor gi = Tensor::empty(g.shape(), g.dtype(), g.device());
    cpu::dropout_apply(gi, g.contiguous(), seed, first, p);
    return {gi};
  });
}

Tensor dropout(const Tensor& input, double p, bool training) {
  return dropout(input, p, training, default_generator());
}

}  // namespace tint
