// Host softmax and log_softmax. Rows are independent, so OpenMP splits them; the row max,
// sum and dot accumulate in double, then math/softmax.h maps each element.
#include "framework/ops/cpu/softmax.h"

#include <cmath>
#include <limits>

#include "framework/ops/math/softmax.h"

namespace tint::cpu {

namespace {

constexpr int64_t kParallelGrain = 32768;

template <typename T>
void forward_loop(T* out, const T* x, int64_t outer, int64_t n, int64_t inner, bool log) {
  const int64_t rows = outer * inner;
#pragma omp parallel for if (rows * n > kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = (r / inner) * n * inner + r % inner;
    const T* px = x + base;
    T* py = out + base;
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t k = 0; k < n; ++k) {
      const double v = px[k * inner];
      if (!(v <= m)) m = v;  // a NaN becomes the max, so it propagates to the whole row
    }
    double s = 0;
    for (int64_t k = 0; k < n; ++k) s += math::softmax_exp<double>(px[k * inner], m);
    if (log) {
      const double ls = std::log(s);
      for (int64_t k = 0; k < n; ++k)
        py[k * inner] = static_cast<T>(math::log_softmax_output<double>(px[k * inner], m, ls));
    } else {
      for (int64_t k = 0; k < n; ++k)
        py[k * inner] = static_cast<T>(math::softmax_output<double>(px[k * inner], m, s));
    }
  }
}

template <typename T>
void backward_loop(T* gi, const T* y, const T* g, int64_t outer, int64_t n, int64_t inner,
                   bool log) {
  const int64_t rows = outer * inner;
#pragma omp parallel for if (rows * n > kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = (r / inner) * n * inner + r % inner;
    const T* py = y + base;
    const T* pg = g + base;
    T* po = gi + base;
    double acc = 0;  // sum(g) for log_softmax, sum(g * y) for softmax
    for (int64_t k = 0; k < n; ++k)
      acc += log ? static_cast<double>(pg[k * inner])
                 : static_cast<double>(pg[k * inner]) * static_cast<double>(py[k * inner]);
    for (int64_t k = 0; k < n; ++k) {
      const double yv = py[k * inner], gv = pg[k * inner];
      po[k * inner] = static_cast<T>(log ? math::log_softmax_grad(yv, gv, acc)
                                         : math::softmax_grad(yv, gv, acc));
    }
  }
}

}  // namespace

void softmax_forward(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log) {
  TINT_DISPATCH_FLOATING(x.dtype(), log ? "log_softmax" : "softmax", [&] {
    forward_loop(out.data<scalar_t>(), x.data<scalar_t>(), outer, n, inner, log);
  });
}

void softmax_backward(const Tensor& grad_in, const Tensor& y, const Tensor& grad_out,
                      int64_t outer, int64_t n, int64_t inner, bool log) {
  TINT_DISPATCH_FLOATING(y.dtype(), log ? "log_softmax backward" : "softmax backward", [&] {
    backward_loop(grad_in.data<scalar_t>(), y.data<scalar_t>(), grad_out.data<scalar_t>(),
                  outer, n, inner, log);
  });
}

}  // namespace tint::cpu
