// CUDA softmax / log_softmax over (outer, n, inner): one thread per row, reading the row's n
// elements inner apart (adjacent threads take adjacent inner positions, so reads coalesce
// whenever inner > 1, which is the NCHW class-dim case). Accumulation in double, as on the
// CPU, through the same math/softmax.h functions.
#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/cuda/softmax.h"
#include "framework/ops/math/softmax.h"

namespace tint::cuda {

namespace {

template <typename T>
__global__ void forward_kernel(T* out, const T* x, int64_t outer, int64_t n, int64_t inner,
                               bool log) {
  TINT_GRID_STRIDE(r, outer * inner) {
    const int64_t base = (r / inner) * n * inner + r % inner;
    double m = -INFINITY;
    for (int64_t k = 0; k < n; ++k) m = fmax(m, static_cast<double>(x[base + k * inner]));
    double s = 0;
    for (int64_t k = 0; k < n; ++k)
      s += math::softmax_exp<double>(static_cast<double>(x[base + k * inner]), m);
    const double log_s = ::log(s);
    for (int64_t k = 0; k < n; ++k) {
      const double v = static_cast<double>(x[base + k * inner]);
      out[base + k * inner] = static_cast<T>(log ? math::log_softmax_output<double>(v, m, log_s)
                                                 : math::softmax_output<double>(v, m, s));
    }
  }
}

template <typename T>
__global__ void backward_kernel(T* gi, const T* y, const T* g, int64_t outer, int64_t n,
                                int64_t inner, bool log) {
  TINT_GRID_STRIDE(r, outer * inner) {
    const int64_t base = (r / inner) * n * inner + r % inner;
    double acc = 0;  // sum(g) for log_softmax, sum(g * y) for softmax
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = base + k * inner;
      acc += log ? static_cast<double>(g[i]) : static_cast<double>(g[i]) * y[i];
    }
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = base + k * inner;
      const double yi = y[i], gv = g[i];
      gi[i] = static_cast<T>(log ? math::log_softmax_grad<double>(yi, gv, acc)
                                 : math::softmax_grad<double>(yi, gv, acc));
    }
  }
}

}  // namespace

void softmax_forward(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log) {
  if (outer * inner == 0 || n == 0) return;
  TINT_DISPATCH_FLOATING(x.dtype(), "softmax", [&] {
    forward_kernel<<<blocks_for(outer * inner), kThreads, 0, stream_of(x)>>>(
        out.data_ptr<scalar_t>(), x.data_ptr<const scalar_t>(), outer, n, inner, log);
  });
  check_launch("softmax_forward");
}

void softmax_backward(const Tensor& grad_in, const Tensor& y, const Tensor& grad_out,
                      int64_t outer, int64_t n, int64_t inner, bool log) {
  if (outer * inner == 0 || n == 0) return;
  TINT_DISPATCH_FLOATING(y.dtype(), "softmax backward", [&] {
    backward_kernel<<<blocks_for(outer * inner), kThreads, 0, stream_of(y)>>>(
        grad_in.data_ptr<scalar_t>(), y.data_ptr<const scalar_t>(),
        grad_out.data_ptr<const scalar_t>(), outer, n, inner, log);
  });
  check_launch("softmax_backward");
}

}  // namespace tint::cuda
