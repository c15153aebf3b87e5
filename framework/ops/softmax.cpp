// Public softmax and log_softmax: argument checks, the CPU kernels, and one autograd node each
// whose backward needs only the output (softmax: y * (g - sum(g y)); log_softmax:
// g - exp(y) * sum(g)), so the input is not kept alive.
#include "framework/ops/softmax.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/softmax.h"
#include "framework/ops/cuda/softmax.h"
#include "framework/ops/dispatch.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

Tensor softmax_impl(const Tensor& x, int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  check_floating(x, name, "the input");
  const int64_t d = wrap_dim(dim, x.dim(), name);
  // A 0-d tensor is one row of one element.
  int64_t outer = 1, n = 1, inner = 1;
  for (int64_t i = 0; i < x.dim(); ++i) {
    if (i < d) outer *= x.shape()[i];
    if (i == d) n = x.shape()[i];
    if (i > d) inner *= x.shape()[i];
  }
  const Tensor xc = x.detach().contiguous();
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  TINT_DEVICE_CALL(out.device(), softmax_forward, out, xc, outer, n, inner, log);
  return record(out, name, {x},
                [y = out.detach(), outer, n, inner, log](const Tensor& g, const Needs&) -> Grads {
                  Tensor gi = Tensor::empty(y.shape(), y.dtype(), y.device());
                  TINT_DEVICE_CALL(gi.device(), softmax_backward, gi, y, g.contiguous(), outer, n, inner, log);
                  return {gi};
                });
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, true); }

}  // namespace tint
