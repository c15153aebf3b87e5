// Public bias_relu: argument checks, the kernels, and one node that saves only the output
// (y > 0 is the ReLU mask, so the input is not kept alive for the backward). bfloat16 runs
// natively on the GPU and through float32 on the CPU (ops/mixed_precision.h), with a
// bfloat16 or a float32 bias.
#include "framework/ops/bias_relu.h"

#include <vector>

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/bias_relu.h"
#include "framework/ops/cuda/bias_relu.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/mixed_precision.h"
#include "framework/tensor/layout.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

constexpr const char* kOp = "bias_relu";

cpu::BiasReluGeometry bias_relu_geometry(const Tensor& x, const Tensor& bias) {
  check_floating(x, kOp, "the input");
  TINT_CHECK(x.dim() == 4, kOp, ": the input must be 4-D (N, C, H, W), got shape ",
             shape_str(x.shape()));
  check_floating(bias, kOp, "the bias");
  // bfloat16 data may take a float32 bias (the mixed-precision layers' master bias as it is).
  if (!(is_bfloat16(x) && bias.dtype() == DType::Float32))
    check_same_dtype(x, bias, kOp, "the input", "the bias");
  check_same_device(x, bias, kOp, "the input", "the bias");
  TINT_CHECK(bias.shape() == Shape{x.size(1)}, kOp, ": the bias must have shape [", x.size(1),
             "] (one value per channel of the input of shape ", shape_str(x.shape()),
             "), got shape ", shape_str(bias.shape()));
  cpu::BiasReluGeometry g;
  g.batch = x.size(0);
  g.channels = x.size(1);
  g.positions = x.size(2) * x.size(3);
  return g;
}

}  // namespace

Tensor bias_relu(const Tensor& x, const Tensor& bias) {
  cpu::BiasReluGeometry g = bias_relu_geometry(x, bias);
  if (is_bfloat16(x) && !x.device().is_cuda())  // the CPU twin of the bfloat16 kernel
    return through_float32(bias_relu, x, bias);
  // A channels_last input stays channels_last on the GPU (tensor/layout.h); the CPU's
  // kernels take NCHW.
  g.channels_last = x.device().is_cuda() && is_nhwc(x);
  const Tensor xc = dense_copy(x, g.channels_last), bc = bias.detach().contiguous();
  Tensor out = empty_like_layout(xc, x.dtype());
  TINT_DEVICE_CALL(out.device(), bias_relu_forward, out, xc, bc, g);
  const Tensor y = out.detach();  // saved without its node, so the graph has no cycle
  return record(out, kOp, {x, bias}, [g, y, bias_dtype = bias.dtype()](
                                          const Tensor& grad, const Needs& need) -> Grads {
    Grads r(2);
    if (need[0]) r[0] = empty_like_layout(y, y.dtype());
    if (need[1]) r[1] = Tensor::empty({g.channels}, bias_dtype, y.device());
    TINT_DEVICE_CALL(y.device(), bias_relu_backward, r[0], r[1], dense_like(grad, y), y, g);
    return r;
  });
}

}  // namespace tint
