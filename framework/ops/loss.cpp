// Public losses: argument checks, the CPU kernels, and one fused autograd node per loss. The
// cross-entropies compute log_softmax once and keep it; their backward is
// (softmax - target) * g / denominator per logit, never a chain of small nodes.
#include "framework/ops/loss.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/loss.h"
#include "framework/ops/cuda/loss.h"
#include "framework/ops/dispatch.h"
#include "framework/tensor/factories.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

// Logits (N, C, d1, ...) seen as (n, classes, inner).
struct ClassSplit {
  int64_t n = 1, classes = 1, inner = 1;
  Shape positions;  // (N, d1, ...): the logits' shape without the class dim
};

ClassSplit split_classes(const Tensor& logits, const char* op) {
  check_floating(logits, op, "the logits");
  TINT_CHECK(logits.dim() >= 2, op, ": the logits must be (N, C) or (N, C, d1, ...), got shape ",
             shape_str(logits.shape()));
  ClassSplit s;
  s.n = logits.shape()[0];
  s.classes = logits.shape()[1];
  for (int64_t i = 2; i < logits.dim(); ++i) s.inner *= logits.shape()[i];
  s.positions = logits.shape();
  s.positions.erase(s.positions.begin() + 1);
  return s;
}

// The output of a loss: the per-position tensor, or a 0-d tensor holding total / denominator.
Tensor reduce_output(const Tensor& per_position, double total, double denominator,
                     Reduction reduction) {
  if (reduction == Reduction::None) return per_position;
  const double value = reduction == Reduction::Sum ? total : total / denominator;
  return scalar_tensor(value, options_of(per_position));
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction,
                     int64_t ignore_index) {
  const char* op = "cross_entropy";
  const ClassSplit s = split_classes(logits, op);
  check_defined(target, op, "the target");
  TINT_CHECK(target.dtype() == DType::Int64, op,
             ": the target must hold int64 class indices, got ", dtype_name(target.dtype()),
             " (use cross_entropy_soft for probability targets)");
  TINT_CHECK(target.shape() == s.positions, op, ": the target has shape ",
             shape_str(target.shape()), " but logits of shape ", shape_str(logits.shape()),
             " need a target of shape ", shape_str(s.positions));
  check_same_device(logits, target, op, "the logits", "the target");

  const Tensor xc = logits.detach().contiguous();
  const Tensor tc = target.contiguous();
  int64_t bad = 0;
  TINT_CHECK(!TINT_DEVICE_CALL(tc.device(), find_invalid_class, tc, s.classes, ignore_index, &bad), op, ": target class ",
             bad, " is out of range for logits with C = ", s.classes, " classes (expected 0..",
             s.classes - 1, " or ignore_index ", ignore_index, ")");
  Tensor log_probs = Tensor::empty(logits.shape(), logits.dtype(), logits.device());
  Tensor losses = Tensor::empty(s.positions, logits.dtype(), logits.device());
  const cpu::CrossEntropySums sums = TINT_DEVICE_CALL(
      losses.device(), cross_entropy_forward, losses, log_probs, xc, tc, s.n, s.classes, s.inner, ignore_index);
  // Mean over zero counted targets is 0/0 = NaN, as in PyTorch.
  const double denominator = static_cast<double>(sums.count);
  Tensor out = reduce_output(losses, sums.total, denominator, reduction);
  const double scale = reduction == Reduction::Mean ? 1.0 / denominator : 1.0;
  return record(out, op, {logits},
                [log_probs, tc, s, reduction, scale, ignore_index](const Tensor& g,
                                                                    const Needs&) -> Grads {
                  Tensor gl = Tensor::empty(log_probs.shape(), log_probs.dtype(),
                                            log_probs.device());
                  TINT_DEVICE_CALL(gl.device(), cross_entropy_backward, gl, log_probs, tc, g.contiguous(),
                                              reduction == Reduction::None, scale, s.n,
                                              s.classes, s.inner, ignore_index);
                  return {gl};
                });
}

Tensor cross_entropy_soft(const Tensor& logits, const Tensor& target, Reduction reduction) {
  const char* op = "cross_entropy_soft";
  const ClassSplit s = split_classes(logits, op);
  check_floating(target, op, "the target");
  check_same_shape(logits, target, op, "the logits", "the target");
  check_same_dtype(logits, target, op, "the logits", "the target");
  check_same_device(logits, target, op, "the logits", "the target");

  const Tensor xc = logits.detach().contiguous();
  const Tensor tc = target.detach().contiguous();
  Tensor log_probs = Tensor::empty(logits.shape(), logits.dtype(), logits.device());
  Tensor losses = Tensor::empty(s.positions, logits.dtype(), logits.device());
  const double total =
      TINT_DEVICE_CALL(losses.device(), soft_cross_entropy_forward, losses, log_probs, xc, tc, s.n, s.classes, s.inner);
  // PyTorch divides by the number of positions for probability targets, not by a weight sum.
  const double denominator = static_cast<double>(s.n * s.inner);
  Tensor out = reduce_output(losses, total, denominator, reduction);
  const double scale = reduction == Reduction::Mean ? 1.0 / denominator : 1.0;
  return record(out, op, {logits, target},
                [log_probs, tc, s, reduction, scale](const Tensor& g, const Needs& n) -> Grads {
                  Grads r(2);
                  if (n[0]) r[0] = Tensor::empty(log_probs.shape(), log_probs.dtype(),
                                                 log_probs.device());
                  if (n[1]) r[1] = Tensor::empty(tc.shape(), tc.dtype(), tc.device());
                  TINT_DEVICE_CALL(log_probs.device(), soft_cross_entropy_backward, r[0], r[1], log_probs, tc, g.contiguous(),
                                                   reduction == Reduction::None, scale, s.n,
                                                   s.classes, s.inner);
                  return r;
                });
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const char* op = "mse_loss";
  check_floating(input, op, "the input");
  check_floating(target, op, "the target");
  check_same_shape(input, target, op, "the input", "the target");
  check_same_dtype(input, target, op, "the input", "the target");
  check_same_device(input, target, op, "the input", "the target");

  const Tensor xc = input.detach().contiguous();
  const Tensor tc = target.detach().contiguous();
  Tensor errors;
  if (reduction == Reduction::None)
    errors = Tensor::empty(input.shape(), input.dtype(), input.device());
  const double total = TINT_DEVICE_CALL(xc.device(), mse_forward, errors, xc, tc);
  const double denominator = static_cast<double>(input.numel());
  Tensor out = reduction == Reduction::None
                   ? errors
                   : scalar_tensor(reduction == Reduction::Sum ? total : total / denominator,
                                   options_of(input));
  const double scale = reduction == Reduction::Mean ? 1.0 / denominator : 1.0;
  return record(out, op, {input, target},
                [xc, tc, reduction, scale](const Tensor& g, const Needs& n) -> Grads {
                  Grads r(2);
                  if (n[0]) r[0] = Tensor::empty(xc.shape(), xc.dtype(), xc.device());
                  if (n[1]) r[1] = Tensor::empty(tc.shape(), tc.dtype(), tc.device());
                  TINT_DEVICE_CALL(xc.device(), mse_backward, r[0], r[1], xc, tc, g.contiguous(),
                                    reduction == Reduction::None, scale);
                  return r;
                });
}

}  // namespace tint
