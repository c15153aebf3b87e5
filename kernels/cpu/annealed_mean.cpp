// Host annealed mean: one OpenMP iteration per position, calling math::annealed_row as each
// CUDA thread does.
#include "kernels/cpu/annealed_mean.h"

#include "kernels/math/color_loss.h"

namespace tint::color::cpu {

namespace {

template <typename T>
void annealed_loop(T* out, const T* x, const float* ca, const float* cb, int64_t n,
                   int64_t bins, int64_t inner, const math::ExpScale& scale,
                   bool from_probs) {
  const int64_t rows = n * inner;
#pragma omp parallel for if (rows > 64)
  for (int64_t r = 0; r < rows; ++r)
    math::annealed_pixel(out, x, ca, cb, r, bins, inner, scale, from_probs);
}

}  // namespace

void annealed_mean(const Tensor& out, const Tensor& x, const float* ca, const float* cb,
                   double temperature, bool from_probs) {
  const int64_t n = x.size(0), bins = x.size(1), inner = n ? x.numel() / (n * bins) : 0;
  TINT_DISPATCH_FLOATING(x.dtype(), "annealed_mean", [&] {
    annealed_loop(out.data<scalar_t>(), x.data<scalar_t>(), ca, cb, n, bins, inner,
                  math::ExpScale::of_temperature(temperature), from_probs);
  });
}

}  // namespace tint::color::cpu
