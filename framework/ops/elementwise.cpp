// Public elementwise ops: argument checks, the CPU kernels, and backward rules. Gradients of
// broadcast operands are summed back to their shapes. bfloat16 operands (both, for two
// tensors) compute through float32 and give bfloat16 (ops/mixed_precision.h).
#include "framework/ops/elementwise.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/elementwise.h"
#include "framework/ops/cuda/elementwise.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/mixed_precision.h"
#include "framework/ops/reduce.h"
#include "framework/tensor/factories.h"

namespace tint {

using math::BinaryOp;
using math::UnaryOp;

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

bool integer_ok(BinaryOp op) {
  return op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul ||
         op == BinaryOp::Max || op == BinaryOp::GeMask;
}

Tensor binary_raw(BinaryOp op, const char* name, const Tensor& a, const Tensor& b) {
  check_defined(a, name, "the first operand");
  check_defined(b, name, "the second operand");
  check_same_dtype(a, b, name, "the first operand", "the second operand");
  check_same_device(a, b, name, "the first operand", "the second operand");
  if (!integer_ok(op)) check_floating(a, name, "the first operand");
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype(), a.device());
  TINT_DEVICE_CALL(out.device(), binary, op, out, a, b);
  return out;
}

Tensor scalar_raw(BinaryOp op, const char* name, const Tensor& a, double s, bool scalar_first) {
  check_defined(a, name, "the tensor operand");
  if (!integer_ok(op)) check_floating(a, name, "the tensor operand");
  Tensor out = Tensor::empty(a.shape(), a.dtype(), a.device());
  TINT_DEVICE_CALL(out.device(), binary_scalar, op, out, a, s, scalar_first);
  return out;
}

Tensor unary_op(UnaryOp op, const char* name, const Tensor& x) {
  check_defined(x, name, "the input");
  if (is_bfloat16(x))
    return through_float32([&](const Tensor& xf) { return unary_op(op, name, xf); }, x);
  if (op != UnaryOp::Neg && op != UnaryOp::Abs && op != UnaryOp::Relu)
    check_floating(x, name, "the input");
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  TINT_DEVICE_CALL(out.device(), unary, op, out, xc);
  const Tensor y = out.detach();
  // Keep x only for the formulas that read it (log, abs): a ReLU's node then holds only its
  // output, as PyTorch's does, not also the convolution output it was applied to.
  const Tensor saved_x = math::unary_backward_reads_input(op) ? xc.detach() : Tensor();
  return record(out, name, {x}, [op, saved_x, y](const Tensor& g, const Needs&) -> Grads {
    Tensor gi = Tensor::empty(y.shape(), y.dtype(), y.device());
    // The kernels take an x operand; y stands in where the formula does not read it.
    const Tensor& x_operand = saved_x.defined() ? saved_x : y;
    TINT_DEVICE_CALL(gi.device(), unary_backward, op, gi, x_operand, y, g.contiguous());
    return {gi};
  });
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  if (is_bfloat16(a) && is_bfloat16(b))
    return through_float32([](const Tensor& x, const Tensor& y) { return add(x, y); }, a, b);
  Tensor out = binary_raw(BinaryOp::Add, "add", a, b);
  return record(out, "add", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g,
                                                                     const Needs& n) -> Grads {
    return {n[0] ? sum_to_shape(g, sa) : Tensor(), n[1] ? sum_to_shape(g, sb) : Tensor()};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  if (is_bfloat16(a) && is_bfloat16(b))
    return through_float32([](const Tensor& x, const Tensor& y) { return sub(x, y); }, a, b);
  Tensor out = binary_raw(BinaryOp::Sub, "sub", a, b);
  return record(out, "sub", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g,
                                                                     const Needs& n) -> Grads {
    return {n[0] ? sum_to_shape(g, sa) : Tensor(), n[1] ? sum_to_shape(neg(g), sb) : Tensor()};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  if (is_bfloat16(a) && is_bfloat16(b))
    return through_float32([](const Tensor& x, const Tensor& y) { return mul(x, y); }, a, b);
  Tensor out = binary_raw(BinaryOp::Mul, "mul", a, b);
  return record(out, "mul", {a, b},
                [ad = a.detach(), bd = b.detach()](const Tensor& g, const Needs& n) -> Grads {
                  return {n[0] ? sum_to_shape(mul(g, bd), ad.shape()) : Tensor(),
                          n[1] ? sum_to_shape(mul(g, ad), bd.shape()) : Tensor()};
                });
}

Tensor div(const Tensor& a, const Tensor& b) {
  if (is_bfloat16(a) && is_bfloat16(b))
    return through_float32([](const Tensor& x, const Tensor& y) { return div(x, y); }, a, b);
  Tensor out = binary_raw(BinaryOp::Div, "div", a, b);
  return record(out, "div", {a, b},
                [ad = a.detach(), bd = b.detach(), y = out.detach()](const Tensor& g,
                                                                     const Needs& n) -> Grads {
                  return {n[0] ? sum_to_shape(div(g, bd), ad.shape()) : Tensor(),
                          n[1] ? sum_to_shape(neg(div(mul(g, y), bd)), bd.shape()) : Tensor()};
                });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  if (is_bfloat16(a) && is_bfloat16(b))
    return through_float32([](const Tensor& x, const Tensor& y) { return pow(x, y); }, a, b);
  Tensor out = binary_raw(BinaryOp::Pow, "pow", a, b);
  return record(out, "pow", {a, b},
                [ad = a.detach(), bd = b.detach(), y = out.detach()](const Tensor& g,
                                                                     const Needs& n) -> Grads {
                  Grads r(2);
                  if (n[0]) r[0] = sum_to_shape(mul(g, mul(bd, pow(ad, sub(bd, 1.0)))), ad.shape());
                  if (n[1]) r[1] = sum_to_shape(mul(g, mul(y, log(ad))), bd.shape());
                  return r;
                });
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  if (is_bfloat16(a) && is_bfloat16(b))
    return through_float32([](const Tensor& x, const Tensor& y) { return maximum(x, y); }, a, b);
  Tensor out = binary_raw(BinaryOp::Max, "maximum", a, b);
  return record(out, "maximum", {a, b},
                [ad = a.detach(), bd = b.detach()](const Tensor& g, const Needs& n) -> Grads {
                  const Tensor a_wins = binary_raw(BinaryOp::GeMask, "maximum", ad, bd);
                  return {n[0] ? sum_to_shape(mul(g, a_wins), ad.shape()) : Tensor(),
                          n[1] ? sum_to_shape(mul(g, rsub(1.0, a_wins)), bd.shape()) : Tensor()};
                });
}

Tensor add(const Tensor& a, double s) {
  if (is_bfloat16(a))
    return through_float32([s](const Tensor& x) { return add(x, s); }, a);
  return record(scalar_raw(BinaryOp::Add, "add", a, s, false), "add_scalar", {a},
                [](const Tensor& g, const Needs&) -> Grads { return {g}; });
}

Tensor sub(const Tensor& a, double s) {
  if (is_bfloat16(a))
    return through_float32([s](const Tensor& x) { return sub(x, s); }, a);
  return record(scalar_raw(BinaryOp::Sub, "sub", a, s, false), "sub_scalar", {a},
                [](const Tensor& g, const Needs&) -> Grads { return {g}; });
}

Tensor rsub(double s, const Tensor& a) {
  if (is_bfloat16(a))
    return through_float32([s](const Tensor& x) { return rsub(s, x); }, a);
  return record(scalar_raw(BinaryOp::Sub, "rsub", a, s, true), "rsub_scalar", {a},
                [](const Tensor& g, const Needs&) -> Grads { return {neg(g)}; });
}

Tensor mul(const Tensor& a, double s) {
  if (is_bfloat16(a))
    return through_float32([s](const Tensor& x) { return mul(x, s); }, a);
  return record(scalar_raw(BinaryOp::Mul, "mul", a, s, false), "mul_scalar", {a},
                [s](const Tensor& g, const Needs&) -> Grads { return {mul(g, s)}; });
}

Tensor div(const Tensor& a, double s) {
  if (is_bfloat16(a))
    return through_float32([s](const Tensor& x) { return div(x, s); }, a);
  return record(scalar_raw(BinaryOp::Div, "div", a, s, false), "div_scalar", {a},
                [s](const Tensor& g, const Needs&) -> Grads { return {div(g, s)}; });
}

Tensor rdiv(double s, const Tensor& a) {
  if (is_bfloat16(a))
    return through_float32([s](const Tensor& x) { return rdiv(s, x); }, a);
  Tensor out = scalar_raw(BinaryOp::Div, "rdiv", a, s, true);
  return record(out, "rdiv_scalar", {a},
                [ad = a.detach(), y = out.detach()](const Tensor& g, const Needs&) -> Grads {
                  return {neg(div(mul(g, y), ad))};
                });
}

Tensor pow(const Tensor& a, double e) {
  if (is_bfloat16(a))
    return through_float32([e](const Tensor& x) { return pow(x, e); }, a);
  return record(scalar_raw(BinaryOp::Pow, "pow", a, e, false), "pow_scalar", {a},
                [ad = a.detach(), e](const Tensor& g, const Needs&) -> Grads {
                  return {mul(g, mul(pow(ad, e - 1.0), e))};
                });
}

Tensor neg(const Tensor& x) { return unary_op(UnaryOp::Neg, "neg", x); }
Tensor exp(const Tensor& x) { return unary_op(UnaryOp::Exp, "exp", x); }
Tensor log(const Tensor& x) { return unary_op(UnaryOp::Log, "log", x); }
Tensor sqrt(const Tensor& x) { return unary_op(UnaryOp::Sqrt, "sqrt", x); }
Tensor abs(const Tensor& x) { return unary_op(UnaryOp::Abs, "abs", x); }
Tensor relu(const Tensor& x) { return unary_op(UnaryOp::Relu, "relu", x); }
Tensor sigmoid(const Tensor& x) { return unary_op(UnaryOp::Sigmoid, "sigmoid", x); }
Tensor tanh(const Tensor& x) { return unary_op(UnaryOp::Tanh, "tanh", x); }

Tensor clamp(const Tensor& x, double lo, double hi) {
  if (is_bfloat16(x))
    return through_float32([&](const Tensor& xf) { return clamp(xf, lo, hi); }, x);
  check_floating(x, "clamp", "the input");
  TINT_CHECK(lo <= hi, "clamp: min ", lo, " is greater than max ", hi);
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  TINT_DEVICE_CALL(out.device(), clamp, out, x, lo, hi);
  return record(out, "clamp", {x}, [xd = x.detach(), lo, hi](const Tensor& g,
                                                            const Needs&) -> Grads {
    Tensor gi = Tensor::empty(xd.shape(), xd.dtype(), xd.device());
    TINT_DEVICE_CALL(gi.device(), clamp_backward, gi, xd, lo, hi, g);
    return {gi};
  });
}

Tensor gt(const Tensor& a, double s) {
  check_defined(a, "gt", "the input");
  // Masks are small helpers (metrics, tests): computed on the host, returned on a's device.
  const Tensor ac = a.cpu().contiguous();
  Tensor out = Tensor::empty(a.shape(), DType::UInt8);
  uint8_t* o = out.data<uint8_t>();
  TINT_DISPATCH_ALL(a.dtype(), "gt", [&] {
    const scalar_t* p = ac.data<scalar_t>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<double>(p[i]) > s;
  });
  return out.to(a.device());
}

Tensor eq(const Tensor& a, const Tensor& b) {
  check_defined(a, "eq", "the first operand");
  check_defined(b, "eq", "the second operand");
  check_same_dtype(a, b, "eq", "the first operand", "the second operand");
  check_same_shape(a, b, "eq", "the first operand", "the second operand");
  check_same_device(a, b, "eq", "the first operand", "the second operand");
  const Tensor ac = a.cpu().contiguous(), bc = b.cpu().contiguous();
  Tensor out = Tensor::empty(a.shape(), DType::UInt8);
  uint8_t* o = out.data<uint8_t>();
  TINT_DISPATCH_ALL(a.dtype(), "eq", [&] {
    const scalar_t* pa = ac.data<scalar_t>();
    const scalar_t* pb = bc.data<scalar_t>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = pa[i] == pb[i];
  });
  return out.to(a.device());
}

}  // namespace tint
