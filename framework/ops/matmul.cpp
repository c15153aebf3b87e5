// matmul and linear: C = A B with row-major operands through BLAS (OpenBLAS on the cpu,
// cuBLAS on a GPU); backward dA = dC B^T, dB = A^T dC, each one GEMM with transposed flags
// rather than copies.
#include "framework/ops/matmul.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/gemm.h"
#include "framework/ops/cuda/gemm.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/flop_counter.h"
#include "framework/ops/reduce.h"

namespace tint {

namespace {
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_floating(a, "matmul", "the first operand");
  check_floating(b, "matmul", "the second operand");
  check_same_dtype(a, b, "matmul", "the first operand", "the second operand");
  check_same_device(a, b, "matmul", "the first operand", "the second operand");
  TINT_CHECK((a.dim() == 2 && b.dim() == 2) || (a.dim() == 3 && b.dim() == 3),
             "matmul: expected two 2-D or two 3-D tensors, got shapes ", shape_str(a.shape()),
             " and ", shape_str(b.shape()));
  const bool batched = a.dim() == 3;
  const int64_t batch = batched ? a.shape()[0] : 1;
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  TINT_CHECK(b.size(-2) == k && (!batched || b.shape()[0] == batch), "matmul: shapes ",
             shape_str(a.shape()), " and ", shape_str(b.shape()), " cannot be multiplied");
  const Tensor ac = a.contiguous(), bc = b.contiguous();
  Tensor out = Tensor::empty(batched ? Shape{batch, m, n} : Shape{m, n}, a.dtype(), a.device());
  if (FlopCounter* counter = active_flop_counter()) counter->add(matmul_flops(batch, m, n, k));
  TINT_DEVICE_CALL(out.device(), gemm_batched, out, ac, false, m * k, bc, false, k * n, batch, m, n, k);
  return record(out, "matmul", {a, b}, [ac = ac.detach(), bc = bc.detach(), batch, m, n, k](
                                           const Tensor& g, const Needs& need) {
    const Tensor gc = g.contiguous();
    Grads r(2);
    if (need[0]) {
      r[0] = Tensor::empty(ac.shape(), ac.dtype(), ac.device());
      TINT_DEVICE_CALL(gc.device(), gemm_batched, r[0], gc, false, m * n, bc, true, k * n, batch, m, k, n);
    }
    if (need[1]) {
      r[1] = Tensor::empty(bc.shape(), bc.dtype(), bc.device());
      TINT_DEVICE_CALL(gc.device(), gemm_batched, r[1], ac, true, m * k, gc, false, m * n, batch, k, n, m);
    }
    return r;
  });
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_floating(x, "linear", "the input");
  check_rank(weight, 2, "linear", "the weight");
  check_same_dtype(x, weight, "linear", "the input", "the weight");
  TINT_CHECK(x.dim() >= 1 && x.size(-1) == weight.shape()[1], "linear: input shape ",
             shape_str(x.shape()), " does not end in the weight's in_features ",
             weight.shape()[1], " (weight shape ", shape_str(weight.shape()), ")");
  if (bias.defined()) {
    check_same_dtype(x, bias, "linear", "the input", "the bias");
    TINT_CHECK(bias.dim() == 1 && bias.shape()[0] == weight.shape()[0], "linear: bias shape ",
               shape_str(bias.shape()), " does not match out_features ", weight.shape()[0]);
  }
  Shape out_shape = x.shape();
  out_shape.back() = weight.shape()[0];
  Tensor y = matmul(x.reshape({-1, weight.shape()[1]}), weight.transpose(0, 1));
  if (bias.defined()) y = y + bias;
  return y.reshape(out_shape);
}

}  // namespace tint
