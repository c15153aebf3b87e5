// Host fused bias + ReLU: OpenMP over (n, c) planes forward; backward over channels, each
// thread writing its channel's grad_x and summing it in double (the summation order of the
// convolution's own bias gradient, cpu/conv.cpp), so no reduction crosses threads.
#include "framework/ops/cpu/bias_relu.h"

#include "framework/ops/math/bias_relu.h"

namespace tint::cpu {

namespace {

constexpr int64_t kParallelGrain = 65536;

template <typename T>
void forward_loop(T* out, const T* x, const T* bias, const BiasReluGeometry& g) {
  const int64_t planes = g.batch * g.channels;
#pragma omp parallel for schedule(static) if (planes * g.positions > kParallelGrain)
  for (int64_t p = 0; p < planes; ++p) {
    const T b = bias[p % g.channels];
    const T* src = x + p * g.positions;
    T* dst = out + p * g.positions;
#pragma omp simd
    for (int64_t i = 0; i < g.positions; ++i) dst[i] = math::bias_relu_value(src[i], b);
  }
}

// gx may be null (only the bias gradient is wanted), db may be null (only grad_x).
template <typename T>
void backward_loop(T* gx, T* db, const T* go, const T* y, const BiasReluGeometry& g) {
#pragma omp parallel for schedule(static) if (g.batch * g.channels * g.positions > kParallelGrain)
  for (int64_t c = 0; c < g.channels; ++c) {
    double acc = 0;
    for (int64_t n = 0; n < g.batch; ++n) {
      const int64_t base = (n * g.channels + c) * g.positions;
      const T* gsrc = go + base;
      const T* ysrc = y + base;
      if (gx) {
        T* dst = gx + base;
#pragma omp simd
        for (int64_t i = 0; i < g.positions; ++i) dst[i] = math::relu_grad(gsrc[i], ysrc[i]);
      }
      if (db) {
        double part = 0;  // simd: a fixed, vectorised summation order instead of a serial one
#pragma omp simd reduction(+ : part)
        for (int64_t i = 0; i < g.positions; ++i)
          part += static_cast<double>(math::relu_grad(gsrc[i], ysrc[i]));
        acc += part;
      }
    }
    if (db) db[c] = static_cast<T>(acc);
  }
}

}  // namespace

void bias_relu_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                       const BiasReluGeometry& geo) {
  TINT_DISPATCH_FLOATING(x.dtype(), "bias_relu", [&] {
    forward_loop(out.data<scalar_t>(), x.data<scalar_t>(), bias.data<scalar_t>(), geo);
  });
}

void bias_relu_backward(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                        const Tensor& out, const BiasReluGeometry& geo) {
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "bias_relu backward", [&] {
    backward_loop(grad_x.defined() ? grad_x.data<scalar_t>() : nullptr,
                  grad_bias.defined() ? grad_bias.data<scalar_t>() : nullptr,
                  grad_out.data<scalar_t>(), out.data<scalar_t>(), geo);
  });
}

}  // namespace tint::cpu
