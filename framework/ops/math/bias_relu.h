// Per-element rule of the fused bias + ReLU, shared by the CPU loop and the CUDA kernel. The
// forward is relu()'s rule (math/elementwise.h) applied to x + b, so the fused op equals
// relu(x + b) bit for bit; the backward's mask reads the output: y > 0 exactly where x + b > 0.
#pragma once

#include "framework/core/hd.h"

namespace tint::math {

template <typename T>
TINT_HD T bias_relu_value(T x, T bias) {
  const T z = x + bias;
  return z > T(0) ? z : T(0);
}

template <typename T>
TINT_HD T bias_relu_grad(T grad_out, T out) {
  return out > T(0) ? grad_out : T(0);
}

// One thread's share of the NHWC bias gradient (CUDA, cuda/bias_relu.cu; emulated in
// tests/cpu/test_bias_relu.cpp): channel c of rows first, first + step, ... below rows, each
// row `channels` values apart. Writes grad_x there (when gx is not null) and returns the sum
// in double. A computes (float for bfloat16); y is read only with Relu.
// Element idx of the input's gradient, computed in A: through the ReLU's mask (Relu) or the
// output's gradient itself (a plain bias).
template <typename A, bool Relu, typename T>
TINT_HD A bias_input_grad(const T* go, const T* y, int64_t idx) {
  return Relu ? bias_relu_grad(static_cast<A>(go[idx]), static_cast<A>(y[idx]))
              : static_cast<A>(go[idx]);
}

template <typename A, bool Relu, typename T>
TINT_HD double nhwc_bias_grad_rows(T* gx, const T* go, const T* y, int64_t rows,
                                   int64_t channels, int64_t c, int64_t first, int64_t step) {
  double acc = 0;
  for (int64_t r = first; r < rows; r += step) {
    const int64_t idx = r * channels + c;
    const A v = bias_input_grad<A, Relu>(go, y, idx);
    if (gx) gx[idx] = static_cast<T>(v);
    acc += static_cast<double>(v);
  }
  return acc;
}

}  // namespace tint::math
