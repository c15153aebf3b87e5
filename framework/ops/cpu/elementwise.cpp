// Host loops of the elementwise ops: a flat OpenMP loop when every operand is contiguous
// and the same shape, otherwise a strided walk with broadcast (stride 0) operands.
#include "framework/ops/cpu/elementwise.h"

#include "framework/ops/cpu/strided.h"

namespace tint::cpu {

using math::BinaryOp;
using math::UnaryOp;

namespace {

constexpr int64_t kParallelGrain = 32768;

// Strides that read x as if it had out_shape (0 on broadcast dims).
Shape broadcast_strides(const Tensor& x, const Shape& out_shape) {
  const size_t rank = out_shape.size(), lead = rank - x.shape().size();
  Shape strides(rank, 0);
  for (size_t i = lead; i < rank; ++i)
    strides[i] = x.shape()[i - lead] == 1 ? 0 : x.strides()[i - lead];
  return strides;
}

template <typename T>
const T* base_ptr(const Tensor& t) {
  return static_cast<const T*>(t.impl()->storage->data());
}

// out[i] = fn(x[i]) for contiguous same-shape operands, else via strides.
template <typename T, typename Fn>
void map1(const Tensor& out, const Tensor& x, Fn fn) {
  T* o = out.data<T>();
  const int64_t n = out.numel();
  if (x.is_contiguous() && x.shape() == out.shape()) {
    const T* p = static_cast<const T*>(x.raw_data());
#pragma omp parallel for if (n > kParallelGrain)
    for (int64_t i = 0; i < n; ++i) o[i] = fn(p[i]);
    return;
  }
  const T* p = base_ptr<T>(x);
  int64_t i = 0;
  for_each_offset(out.shape(), broadcast_strides(x, out.shape()), x.offset(),
                  [&](int64_t ox) { o[i++] = fn(p[ox]); });
}

template <typename T, typename Fn>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, Fn fn) {
  T* o = out.data<T>();
  const int64_t n = out.numel();
  if (a.is_contiguous() && b.is_contiguous() && a.shape() == out.shape() &&
      b.shape() == out.shape()) {
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
#pragma omp parallel for if (n > kParallelGrain)
    for (int64_t i = 0; i < n; ++i) o[i] = fn(pa[i], pb[i]);
    return;
  }
  const T* pa = base_ptr<T>(a);
  const T* pb = base_ptr<T>(b);
  int64_t i = 0;
  for_each_offset2(out.shape(), broadcast_strides(a, out.shape()), a.offset(),
                   broadcast_strides(b, out.shape()), b.offset(),
                   [&](int64_t oa, int64_t ob) { o[i++] = fn(pa[oa], pb[ob]); });
}

template <UnaryOp Op>
void unary_typed(const Tensor& out, const Tensor& x) {
  TINT_DISPATCH_ALL(x.dtype(), "unary", [&] {
    if constexpr (std::is_floating_point_v<scalar_t> || Op == UnaryOp::Neg ||
                  Op == UnaryOp::Abs || Op == UnaryOp::Relu) {
      map1<scalar_t>(out, x, [](scalar_t v) { return math::unary_forward<Op>(v); });
    } else {
      TINT_FAIL("this elementwise op needs a floating tensor, got ", dtype_name(x.dtype()));
    }
  });
}

template <UnaryOp Op, typename T>
void unary_backward_loop(T* o, const T* px, const T* py, const T* pg, int64_t n) {
#pragma omp parallel for if (n > kParallelGrain)
  for (int64_t i = 0; i < n; ++i) o[i] = math::unary_backward<Op>(px[i], py[i], pg[i]);
}

template <UnaryOp Op>
void unary_backward_typed(const Tensor& gi, const Tensor& x, const Tensor& y, const Tensor& g) {
  TINT_DISPATCH_FLOATING(x.dtype(), "unary backward", [&] {
    unary_backward_loop<Op>(gi.data<scalar_t>(), x.data<scalar_t>(), y.data<scalar_t>(),
                            g.data<scalar_t>(), gi.numel());
  });
}

template <BinaryOp Op>
void binary_typed(const Tensor& out, const Tensor& a, const Tensor& b) {
  TINT_DISPATCH_ALL(a.dtype(), "binary", [&] {
    map2<scalar_t>(out, a, b,
                   [](scalar_t x, scalar_t y) { return math::binary_forward<Op>(x, y); });
  });
}

template <BinaryOp Op>
void binary_scalar_typed(const Tensor& out, const Tensor& a, double s, bool scalar_first) {
  TINT_DISPATCH_ALL(a.dtype(), "binary", [&] {
    const scalar_t v = static_cast<scalar_t>(s);
    if (scalar_first)
      map1<scalar_t>(out, a, [v](scalar_t x) { return math::binary_forward<Op>(v, x); });
    else
      map1<scalar_t>(out, a, [v](scalar_t x) { return math::binary_forward<Op>(x, v); });
  });
}

}  // namespace

void unary(UnaryOp op, const Tensor& out, const Tensor& x) {
#define CALL(K) return unary_typed<K>(out, x)
  TINT_UNARY_SWITCH(op, CALL)
#undef CALL
}

void unary_backward(UnaryOp op, const Tensor& gi, const Tensor& x, const Tensor& y,
                    const Tensor& g) {
#define CALL(K) return unary_backward_typed<K>(gi, x, y, g)
  TINT_UNARY_SWITCH(op, CALL)
#undef CALL
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
#define CALL(K) return binary_typed<K>(out, a, b)
  TINT_BINARY_SWITCH(op, CALL)
#undef CALL
}

void binary_scalar(BinaryOp op, const Tensor& out, const Tensor& a, double s,
                   bool scalar_first) {
#define CALL(K) return binary_scalar_typed<K>(out, a, s, scalar_first)
  TINT_BINARY_SWITCH(op, CALL)
#undef CALL
}

void clamp(const Tensor& out, const Tensor& x, double lo, double hi) {
  TINT_DISPATCH_FLOATING(x.dtype(), "clamp", [&] {
    const scalar_t l = static_cast<scalar_t>(lo), h = static_cast<scalar_t>(hi);
    map1<scalar_t>(out, x, [=](scalar_t v) { return math::clamp_forward(v, l, h); });
  });
}

void clamp_backward(const Tensor& gi, const Tensor& x, double lo, double hi, const Tensor& g) {
  TINT_DISPATCH_FLOATING(x.dtype(), "clamp backward", [&] {
    const scalar_t l = static_cast<scalar_t>(lo), h = static_cast<scalar_t>(hi);
    map2<scalar_t>(gi, x, g,
                   [=](scalar_t v, scalar_t gv) { return math::clamp_backward(v, l, h, gv); });
  });
}

}  // namespace tint::cpu
