// Public upsample_nearest2d / upsample_bilinear2d: output-size rules, argument checks, the CPU
// kernels, and a node whose backward scatter-adds the gradient through the same indices and
// weights (nothing is saved but the geometry). Smaller outputs (downsampling) follow the
// same rules, as in PyTorch. bfloat16 goes through float32 (ops/mixed_precision.h).
#include "framework/ops/upsample.h"

#include <cmath>

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/upsample.h"
#include "framework/ops/cuda/upsample.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/mixed_precision.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

cpu::UpsampleGeometry geometry(const Tensor& x, const UpsampleSize& size, const char* op) {
  check_floating(x, op, "the input");
  TINT_CHECK(x.dim() == 4, op, ": the input must be 4-D (N, C, H, W), got shape ",
             shape_str(x.shape()));
  cpu::UpsampleGeometry g;
  g.planes = x.shape()[0] * x.shape()[1];
  g.in_h = x.shape()[2];
  g.in_w = x.shape()[3];
  TINT_CHECK(g.in_h > 0 && g.in_w > 0, op, ": the input's height and width must be > 0, got shape ",
             shape_str(x.shape()));
  if (size.out_h > 0 || size.out_w > 0) {
    TINT_CHECK(size.out_h > 0 && size.out_w > 0, op, ": the output size must be positive, got ",
               size.out_h, "x", size.out_w, " for input of shape ", shape_str(x.shape()));
    g.out_h = size.out_h;
    g.out_w = size.out_w;
  } else {
    TINT_CHECK(size.scale_h > 0 && size.scale_w > 0, op,
               ": give an output size or positive scale factors, got scale ", size.scale_h, "x",
               size.scale_w, " for input of shape ", shape_str(x.shape()));
    // As torch.nn.functional.interpolate: out = floor(in * factor), and the kernels keep
    // using 1/factor (not in/out) as the source step.
    g.out_h = static_cast<int64_t>(std::floor(static_cast<double>(g.in_h) * size.scale_h));
    g.out_w = static_cast<int64_t>(std::floor(static_cast<double>(g.in_w) * size.scale_w));
    TINT_CHECK(g.out_h > 0 && g.out_w > 0, op, ": scale ", size.scale_h, "x", size.scale_w,
               " gives an empty output for input of shape ", shape_str(x.shape()));
    g.scale_h = size.scale_h;
    g.scale_w = size.scale_w;
  }
  return g;
}

using Kernel = void (*)(const Tensor&, const Tensor&, const cpu::UpsampleGeometry&);

struct Kernels {
  Kernel cpu_forward, cpu_backward, cuda_forward, cuda_backward;
};

Tensor upsample(const Tensor& x, const UpsampleSize& size, const char* op, const Kernels& k) {
  const cpu::UpsampleGeometry g = geometry(x, size, op);
  if (is_bfloat16(x))
    return through_float32([&](const Tensor& xf) { return upsample(xf, size, op, k); }, x);
  const bool gpu = x.device().is_cuda();
  const Kernel forward = gpu ? k.cuda_forward : k.cpu_forward;
  const Kernel backward = gpu ? k.cuda_backward : k.cpu_backward;
  const Tensor xc = x.detach().contiguous();
  Tensor out = Tensor::empty({x.shape()[0], x.shape()[1], g.out_h, g.out_w}, x.dtype(),
                             x.device());
  forward(out, xc, g);
  return record(out, op, {x}, [g, backward, in_shape = x.shape()](const Tensor& grad,
                                                                  const Needs&) -> Grads {
    Tensor gi = Tensor::empty(in_shape, grad.dtype(), grad.device());
    backward(gi, grad.contiguous(), g);
    return {gi};
  });
}

}  // namespace

Tensor upsample_nearest2d(const Tensor& input, const UpsampleSize& size) {
  return upsample(input, size, "upsample_nearest2d",
                  {cpu::upsample_nearest2d_forward, cpu::upsample_nearest2d_backward,
                   TINT_CUDA_FN(upsample_nearest2d_forward),
                   TINT_CUDA_FN(upsample_nearest2d_backward)});
}

Tensor upsample_bilinear2d(const Tensor& input, const UpsampleSize& size) {
  return upsample(input, size, "upsample_bilinear2d",
                  {cpu::upsample_bilinear2d_forward, cpu::upsample_bilinear2d_backward,
                   TINT_CUDA_FN(upsample_bilinear2d_forward),
                   TINT_CUDA_FN(upsample_bilinear2d_backward)});
}

}  // namespace tint
