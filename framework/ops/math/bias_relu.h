// Per-element rule of the fused bias + ReLU, shared by the CPU loop and the CUDA kernel. The
// forward is relu()'s rule (math/elementwise.h) applied to x + b, so the fused op equals
// relu(x + b) bit for bit, NaN included; the backward is relu's own rule (relu_grad), which
// reads the output.
#pragma once

#include <cstdint>

#include "framework/core/hd.h"
#include "framework/ops/math/elementwise.h"

namespace tint::math {

template <typename T>
TINT_HD T bias_relu_value(T x, T bias) {
  return relu_value(x + bias);
}

// The kernels' two variants of one element, computed in A (float for bfloat16): with Relu the
// fused bias + ReLU, without it the plain bias of a bfloat16 convolution.
template <bool Relu, typename A>
TINT_HD A bias_output(A z, A bias) {
  return Relu ? bias_relu_value(z, bias) : z + bias;
}
template <bool Relu, typename A>
TINT_HD A bias_input_grad_value(A grad_out, A out) {
  return Relu ? relu_grad(grad_out, out) : grad_out;
}

// The channel of element i of an N x C x positions tensor, NCHW or NHWC.
TINT_HD int64_t bias_channel(int64_t i, int64_t channels, int64_t positions,
                            bool channels_last) {
  return channels_last ? i % channels : (i / positions) % channels;
}

// Element idx of the input's gradient, computed in A: through the ReLU's mask (Relu) or the
// output's gradient itself (a plain bias); y is read only with Relu.
template <typename A, bool Relu, typename T>
TINT_HD A bias_input_grad(const T* go, const T* y, int64_t idx) {
  return bias_input_grad_value<Relu>(static_cast<A>(go[idx]),
                                     Relu ? static_cast<A>(y[idx]) : A(0));
}

// One thread's share of the NHWC bias gradient (CUDA, cuda/bias_relu.cu; emulated in
// tests/cpu/test_bias_relu.cpp): channel c of rows first, first + step, ... below rows, each
// row `channels` values apart. Writes grad_x there (when gx is not null) and returns the sum
// in double. A computes (float for bfloat16); y is read only with Relu.
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

// ---- 16-byte packs: the vectorised CUDA kernels (cuda/bias_relu.cu), emulated in
// tests/cpu/test_bias_relu.cpp. A thread reads and writes whole packs of kSize neighbours
// (8 bfloat16, 4 float, 2 double), which keeps several times more bytes in flight than one
// element per thread. A pack never straddles a channel (NCHW: positions % kSize == 0) or a
// row (NHWC: channels % kSize == 0); the callers check that and the 16-byte alignment.
template <typename T>
struct alignas(16) Pack16 {
  static constexpr int kSize = static_cast<int>(16 / sizeof(T));
  T v[kSize];
};

// The forward of pack p (elements p * kSize ...): out = x + bias[c] (through the ReLU with
// Relu), computed in A and rounded once, as the per-element kernel does.
template <typename A, bool Relu, typename T, typename B>
TINT_HD void bias_forward_pack(T* out, const T* x, const B* bias, int64_t p, int64_t channels,
                               int64_t positions, bool channels_last) {
  using P = Pack16<T>;
  const int64_t c0 = bias_channel(p * P::kSize, channels, positions, channels_last);
  const P in = reinterpret_cast<const P*>(x)[p];
  P o;
  for (int k = 0; k < P::kSize; ++k) {
    const A b = static_cast<A>(bias[channels_last ? c0 + k : c0]);
    o.v[k] = static_cast<T>(bias_output<Relu>(static_cast<A>(in.v[k]), b));
  }
  reinterpret_cast<P*>(out)[p] = o;
}

// The input's gradient of pack p (written to gx when not null); returns the pack's values in
// A through `add`, called once per element in order (k = 0 ... kSize - 1).
template <typename A, bool Relu, typename T, typename Add>
TINT_HD void bias_grad_pack(T* gx, const T* go, const T* y, int64_t p, Add&& add) {
  using P = Pack16<T>;
  const P g = reinterpret_cast<const P*>(go)[p];
  P m{};
  if constexpr (Relu) m = reinterpret_cast<const P*>(y)[p];
  P o;
  for (int k = 0; k < P::kSize; ++k) {
    const A v = bias_input_grad_value<Relu>(static_cast<A>(g.v[k]), static_cast<A>(m.v[k]));
    o.v[k] = static_cast<T>(v);
    add(k, v);
  }
  if (gx) reinterpret_cast<P*>(gx)[p] = o;
}

// NHWC: one thread's share of the bias gradient over packs: pack `pack` of rows first,
// first + step, ... below rows (packs_per_row packs a row), each channel's sum added into
// acc[k] (k = 0 ... kSize - 1: channels pack * kSize + k) in double.
template <typename A, bool Relu, typename T>
TINT_HD void nhwc_bias_grad_pack_rows(T* gx, const T* go, const T* y, int64_t rows,
                                      int64_t packs_per_row, int64_t pack, int64_t first,
                                      int64_t step, double* acc) {
  for (int64_t r = first; r < rows; r += step)
    bias_grad_pack<A, Relu>(gx, go, y, r * packs_per_row + pack,
                            [acc](int k, A v) { acc[k] += static_cast<double>(v); });
}

// NCHW: one thread's share of channel c's bias gradient over packs j = first, first + step,
// ... of its batch * positions / kSize packs (packs_per_plane a plane); the sum in double.
template <typename A, bool Relu, typename T>
TINT_HD double nchw_bias_grad_packs(T* gx, const T* go, const T* y, int64_t batch,
                                    int64_t channels, int64_t packs_per_plane, int64_t c,
                                    int64_t first, int64_t step) {
  double acc = 0;
  const int64_t count = batch * packs_per_plane;
  for (int64_t j = first; j < count; j += step) {
    const int64_t n = j / packs_per_plane, i = j - n * packs_per_plane;
    bias_grad_pack<A, Relu>(gx, go, y, (n * channels + c) * packs_per_plane + i,
                            [&acc](int, A v) { acc += static_cast<double>(v); });
  }
  return acc;
}

}  // namespace tint::math
