// CUDA kernels of the elementwise ops. Contiguous same-shape operands take a flat
// grid-stride loop; anything else goes through the strided/broadcast indexer. The
// arithmetic is the TINT_HD math the CPU loops call.
#include "framework/ops/cuda/elementwise.h"
#include "framework/ops/cuda/launch.cuh"

namespace tint::cuda {

using math::BinaryOp;
using math::UnaryOp;

namespace {

template <typename T, typename Fn>
__global__ void map1_flat(T* out, const T* x, int64_t n, Fn fn) {
  TINT_GRID_STRIDE(i, n) out[i] = fn(x[i]);
}

template <typename T, typename Fn>
__global__ void map1_strided(T* out, const T* x, int64_t n, Indexer<1> ix, Fn fn) {
  TINT_GRID_STRIDE(i, n) {
    int64_t o[1];
    ix.offsets(i, o);
    out[i] = fn(x[o[0]]);
  }
}

template <typename T, typename Fn>
__global__ void map2_flat(T* out, const T* a, const T* b, int64_t n, Fn fn) {
  TINT_GRID_STRIDE(i, n) out[i] = fn(a[i], b[i]);
}

template <typename T, typename Fn>
__global__ void map2_strided(T* out, const T* a, const T* b, int64_t n, Indexer<2> ix, Fn fn) {
  TINT_GRID_STRIDE(i, n) {
    int64_t o[2];
    ix.offsets(i, o);
    out[i] = fn(a[o[0]], b[o[1]]);
  }
}

template <typename T, typename Fn>
__global__ void map3_flat(T* out, const T* a, const T* b, const T* c, int64_t n, Fn fn) {
  TINT_GRID_STRIDE(i, n) out[i] = fn(a[i], b[i], c[i]);
}

template <typename T, typename Fn>
void map1(const Tensor& out, const Tensor& x, Fn fn, const char* name) {
  const int64_t n = out.numel();
  if (n == 0) return;
  if (x.is_contiguous() && x.shape() == out.shape()) {
    map1_flat<<<blocks_for(n), kThreads, 0, stream_of(out)>>>(
        static_cast<T*>(out.raw_data()), static_cast<const T*>(x.raw_data()), n, fn);
  } else {
    const Tensor* views[1] = {&x};
    map1_strided<<<blocks_for(n), kThreads, 0, stream_of(out)>>>(
        static_cast<T*>(out.raw_data()), base_of<const T>(x), n,
        make_indexer<1>(out.shape(), views), fn);
  }
  check_launch(name);
}

template <typename T, typename Fn>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, Fn fn, const char* name) {
  const int64_t n = out.numel();
  if (n == 0) return;
  if (a.is_contiguous() && b.is_contiguous() && a.shape() == out.shape() &&
      b.shape() == out.shape()) {
    map2_flat<<<blocks_for(n), kThreads, 0, stream_of(out)>>>(
        static_cast<T*>(out.raw_data()), static_cast<const T*>(a.raw_data()),
        static_cast<const T*>(b.raw_data()), n, fn);
  } else {
    const Tensor* views[2] = {&a, &b};
    map2_strided<<<blocks_for(n), kThreads, 0, stream_of(out)>>>(
        static_cast<T*>(out.raw_data()), base_of<const T>(a), base_of<const T>(b), n,
        make_indexer<2>(out.shape(), views), fn);
  }
  check_launch(name);
}

template <UnaryOp Op>
struct UnaryFn {
  template <typename T>
  __device__ T operator()(T x) const { return math::unary_forward<Op>(x); }
};
template <UnaryOp Op>
struct UnaryBackwardFn {
  template <typename T>
  __device__ T operator()(T x, T y, T g) const { return math::unary_backward<Op>(x, y, g); }
};
template <BinaryOp Op>
struct BinaryFn {
  template <typename T>
  __device__ T operator()(T a, T b) const { return math::binary_forward<Op>(a, b); }
};
template <BinaryOp Op, typename T>
struct ScalarFn {
  T s;
  bool scalar_first;
  __device__ T operator()(T x) const {
    return scalar_first ? math::binary_forward<Op>(s, x) : math::binary_forward<Op>(x, s);
  }
};
template <typename T>
struct ClampFn {
  T lo, hi;
  __device__ T operator()(T x) const { return math::clamp_forward(x, lo, hi); }
};
template <typename T>
struct ClampBackwardFn {
  T lo, hi;
  __device__ T operator()(T x, T g) const { return math::clamp_backward(x, lo, hi, g); }
};

template <UnaryOp Op>
void unary_typed(const Tensor& out, const Tensor& x) {
  TINT_DISPATCH_ALL(x.dtype(), "unary", [&] {
    if constexpr (std::is_floating_point_v<scalar_t> || Op == UnaryOp::Neg ||
                  Op == UnaryOp::Abs || Op == UnaryOp::Relu) {
      map1<scalar_t>(out, x, UnaryFn<Op>{}, "unary");
    } else {
      TINT_FAIL("this elementwise op needs a floating tensor, got ", dtype_name(x.dtype()));
    }
  });
}

template <UnaryOp Op>
void unary_backward_typed(const Tensor& gi, const Tensor& x, const Tensor& y, const Tensor& g) {
  TINT_DISPATCH_FLOATING(x.dtype(), "unary backward", [&] {
    const int64_t n = gi.numel();
    if (n == 0) return;
    map3_flat<<<blocks_for(n), kThreads, 0, stream_of(gi)>>>(
        static_cast<scalar_t*>(gi.raw_data()), static_cast<const scalar_t*>(x.raw_data()),
        static_cast<const scalar_t*>(y.raw_data()), static_cast<const scalar_t*>(g.raw_data()),
        n, UnaryBackwardFn<Op>{});
    check_launch("unary_backward");
  });
}

template <BinaryOp Op>
void binary_typed(const Tensor& out, const Tensor& a, const Tensor& b) {
  TINT_DISPATCH_ALL(a.dtype(), "binary",
                    [&] { map2<scalar_t>(out, a, b, BinaryFn<Op>{}, "binary"); });
}

template <BinaryOp Op>
void binary_scalar_typed(const Tensor& out, const Tensor& a, double s, bool scalar_first) {
  TINT_DISPATCH_ALL(a.dtype(), "binary", [&] {
    map1<scalar_t>(out, a, ScalarFn<Op, scalar_t>{static_cast<scalar_t>(s), scalar_first},
                   "binary_scalar");
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
    map1<scalar_t>(out, x, ClampFn<scalar_t>{static_cast<scalar_t>(lo), static_cast<scalar_t>(hi)},
                   "clamp");
  });
}

void clamp_backward(const Tensor& gi, const Tensor& x, double lo, double hi, const Tensor& g) {
  TINT_DISPATCH_FLOATING(x.dtype(), "clamp backward", [&] {
    map2<scalar_t>(gi, x, g,
                   ClampBackwardFn<scalar_t>{static_cast<scalar_t>(lo), static_cast<scalar_t>(hi)},
                   "clamp_backward");
  });
}

}  // namespace tint::cuda
