// Public reductions and their backward rules. A dim reduction views the contiguous input as
// (outer, n, inner); reducing everything is the same with outer = inner = 1.
#include "framework/ops/reduce.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/reduce.h"
#include "framework/ops/cuda/reduce.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/elementwise.h"
#include "framework/tensor/factories.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

struct DimSplit {
  int64_t outer = 1, n = 1, inner = 1;
  Shape kept, dropped;  // output shape with and without the reduced dim
};

DimSplit split_dim(const Tensor& x, int64_t dim, const char* op) {
  DimSplit s;
  const int64_t d = wrap_dim(dim, x.dim(), op);
  if (x.dim() == 0) return s;
  for (int64_t i = 0; i < x.dim(); ++i) {
    if (i < d) s.outer *= x.shape()[i];
    if (i > d) s.inner *= x.shape()[i];
  }
  s.n = x.shape()[d];
  s.kept = x.shape();
  s.kept[d] = 1;
  s.dropped = x.shape();
  s.dropped.erase(s.dropped.begin() + d);
  return s;
}

Tensor broadcast_to(const Tensor& g, const Shape& shape) {
  return add(zeros(shape, options_of(g)), g);
}

Tensor reduce_prepare(const Tensor& x, const char* op) {
  check_defined(x, op, "the input");
  return x.contiguous();
}

}  // namespace

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) {
  const Tensor xc = reduce_prepare(x, "sum");
  const DimSplit s = split_dim(xc, dim, "sum");
  Tensor out = Tensor::empty(keepdim ? s.kept : s.dropped, x.dtype(), x.device());
  TINT_DEVICE_CALL(out.device(), sum_dim, out, xc, s.outer, s.n, s.inner);
  return record(out, "sum", {x}, [in_shape = x.shape(), s](const Tensor& g,
                                                           const Needs&) -> Grads {
    return {broadcast_to(g.reshape(s.kept), in_shape)};
  });
}

Tensor sum(const Tensor& x) {
  const Tensor xc = reduce_prepare(x, "sum");
  Tensor out = Tensor::empty({}, x.dtype(), x.device());
  TINT_DEVICE_CALL(out.device(), sum_dim, out, xc, 1, xc.numel(), 1);
  return record(out, "sum", {x}, [in_shape = x.shape()](const Tensor& g, const Needs&) -> Grads {
    return {broadcast_to(g, in_shape)};
  });
}

Tensor mean(const Tensor& x) {
  check_floating(x, "mean", "the input");
  TINT_CHECK(x.numel() > 0, "mean: the input is empty");
  return div(sum(x), static_cast<double>(x.numel()));
}

Tensor mean(const Tensor& x, int64_t dim, bool keepdim) {
  check_floating(x, "mean", "the input");
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[wrap_dim(dim, x.dim(), "mean")];
  TINT_CHECK(n > 0, "mean: dim ", dim, " of shape ", shape_str(x.shape()), " is empty");
  return div(sum(x, dim, keepdim), static_cast<double>(n));
}

Tensor max(const Tensor& x, int64_t dim, bool keepdim) {
  const Tensor xc = reduce_prepare(x, "max");
  const DimSplit s = split_dim(xc, dim, "max");
  TINT_CHECK(s.n > 0, "max: dim ", dim, " of shape ", shape_str(x.shape()), " is empty");
  Tensor values = Tensor::empty(keepdim ? s.kept : s.dropped, x.dtype(), x.device());
  Tensor indices = Tensor::empty(s.kept, DType::Int64, x.device());
  TINT_DEVICE_CALL(x.device(), max_dim, values, indices, xc, s.outer, s.n, s.inner);
  return record(values, "max", {x}, [in_shape = x.shape(), s, indices](const Tensor& g,
                                                                      const Needs&) -> Grads {
    Tensor gi = Tensor::empty(in_shape, g.dtype(), g.device());
    TINT_DEVICE_CALL(gi.device(), scatter_dim, gi, g.contiguous(), indices, s.outer, s.n, s.inner);
    return {gi};
  });
}

Tensor max(const Tensor& x) {
  TINT_CHECK(x.defined() && x.numel() > 0, "max: the input is empty");
  return max(x.reshape({-1}), 0, false);
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  const Tensor xc = reduce_prepare(x, "argmax");
  const DimSplit s = split_dim(xc, dim, "argmax");
  TINT_CHECK(s.n > 0, "argmax: dim ", dim, " of shape ", shape_str(x.shape()), " is empty");
  Tensor indices = Tensor::empty(keepdim ? s.kept : s.dropped, DType::Int64, x.device());
  TINT_DEVICE_CALL(x.device(), max_dim, Tensor(), indices, xc, s.outer, s.n, s.inner);
  return indices;
}

Tensor argmax(const Tensor& x) {
  TINT_CHECK(x.defined() && x.numel() > 0, "argmax: the input is empty");
  return argmax(x.reshape({-1}), 0, false);
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  Tensor r = x;
  while (r.dim() > static_cast<int64_t>(shape.size())) r = sum(r, 0, false);
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 1 && r.shape()[i] != 1) r = sum(r, static_cast<int64_t>(i), true);
  TINT_CHECK(r.shape() == shape, "sum_to_shape: cannot reduce ", shape_str(x.shape()), " to ",
             shape_str(shape));
  return r;
}

}  // namespace tint
