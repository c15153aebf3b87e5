// Public max_pool2d (argument checks, output-size rule, the kernels, and a node that saves
// the argmax positions, so backward is a scatter-add) and adaptive_avg_pool2d (two matmuls
// with averaging matrices).
#include "framework/ops/pool.h"

#include <vector>

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/pool.h"
#include "framework/ops/cuda/pool.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/matmul.h"
#include "framework/tensor/factories.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

cpu::Pool2dGeometry max_pool_geometry(const Tensor& x, const MaxPool2dOptions& o) {
  const char* op = "max_pool2d";
  check_floating(x, op, "the input");
  TINT_CHECK(x.dim() == 4, op, ": the input must be 4-D (N, C, H, W), got shape ",
             shape_str(x.shape()));
  const Pair k = o.kernel_size;
  const Pair s(o.stride.h == 0 ? k.h : o.stride.h, o.stride.w == 0 ? k.w : o.stride.w);
  const Pair p = o.padding;
  TINT_CHECK(k.h > 0 && k.w > 0, op, ": kernel_size must be positive, got (", k.h, ", ", k.w, ")");
  TINT_CHECK(s.h > 0 && s.w > 0, op, ": stride must be positive (or 0 for the kernel size), got (",
             o.stride.h, ", ", o.stride.w, ")");
  TINT_CHECK(p.h >= 0 && p.w >= 0 && 2 * p.h <= k.h && 2 * p.w <= k.w, op,
             ": padding must be >= 0 and at most half the kernel size, got padding (", p.h, ", ",
             p.w, ") for kernel (", k.h, ", ", k.w, ")");
  cpu::Pool2dGeometry g;
  g.planes = x.size(0) * x.size(1);
  g.in_h = x.size(2);
  g.in_w = x.size(3);
  g.kernel_h = k.h, g.kernel_w = k.w, g.stride_h = s.h, g.stride_w = s.w;
  g.pad_h = p.h, g.pad_w = p.w;
  TINT_CHECK(g.in_h + 2 * p.h >= k.h && g.in_w + 2 * p.w >= k.w, op, ": the padded input ",
             g.in_h + 2 * p.h, "x", g.in_w + 2 * p.w, " is smaller than the kernel ", k.h, "x",
             k.w, " (input shape ", shape_str(x.shape()), ")");
  g.out_h = (g.in_h + 2 * p.h - k.h) / s.h + 1;
  g.out_w = (g.in_w + 2 * p.w - k.w) / s.w + 1;
  return g;
}

// (out, in) matrix whose row i averages [floor(i * in / out), ceil((i + 1) * in / out)).
Tensor averaging_matrix(int64_t in, int64_t out, const Tensor& like) {
  std::vector<double> m(static_cast<size_t>(out * in), 0.0);
  for (int64_t i = 0; i < out; ++i) {
    const int64_t begin = i * in / out, end = ((i + 1) * in + out - 1) / out;
    for (int64_t j = begin; j < end; ++j) m[i * in + j] = 1.0 / static_cast<double>(end - begin);
  }
  return from_vector(m, {out, in}).to(like.device(), like.dtype());
}

}  // namespace

Tensor max_pool2d(const Tensor& input, const MaxPool2dOptions& options) {
  const cpu::Pool2dGeometry g = max_pool_geometry(input, options);
  const Tensor x = input.detach().contiguous();
  const Shape out_shape{input.size(0), input.size(1), g.out_h, g.out_w};
  Tensor out = Tensor::empty(out_shape, input.dtype(), input.device());
  Tensor indices = Tensor::empty(out_shape, DType::Int64, input.device());
  TINT_DEVICE_CALL(input.device(), max_pool2d_forward, out, indices, x, g);
  return record(out, "max_pool2d", {input},
                [g, indices, in_shape = input.shape()](const Tensor& grad, const Needs&) -> Grads {
                  Tensor gi = Tensor::empty(in_shape, grad.dtype(), grad.device());
                  TINT_DEVICE_CALL(grad.device(), max_pool2d_backward, gi, grad.contiguous(),
                                   indices, g);
                  return {gi};
                });
}

Tensor adaptive_avg_pool2d(const Tensor& input, int64_t out_h, int64_t out_w) {
  const char* op = "adaptive_avg_pool2d";
  check_floating(input, op, "the input");
  TINT_CHECK(input.dim() == 4, op, ": the input must be 4-D (N, C, H, W), got shape ",
             shape_str(input.shape()));
  TINT_CHECK(out_h > 0 && out_w > 0, op, ": the output size must be positive, got ", out_h, "x",
             out_w);
  const int64_t n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
  TINT_CHECK(h > 0 && w > 0, op, ": the input's height and width must be > 0, got shape ",
             shape_str(input.shape()));
  if (h == out_h && w == out_w) return input;
  // Columns: (N C H, W) x (W, out_w); then rows, on the transposed planes.
  const Tensor cols = matmul(input.reshape({n * c * h, w}),
                             averaging_matrix(w, out_w, input).transpose(0, 1).contiguous());
  const Tensor t = cols.reshape({n * c, h, out_w}).transpose(1, 2).reshape({n * c * out_w, h});
  const Tensor rows = matmul(t, averaging_matrix(h, out_h, input).transpose(0, 1).contiguous());
  return rows.reshape({n * c, out_w, out_h}).transpose(1, 2).reshape({n, c, out_h, out_w});
}

}  // namespace tint
