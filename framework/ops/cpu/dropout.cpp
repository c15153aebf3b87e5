// Host dropout: a flat OpenMP loop over math::dropout_keep / dropout_apply.
#include "framework/ops/cpu/dropout.h"

#include "framework/ops/math/dropout.h"

namespace tint::cpu {

namespace {

constexpr int64_t kParallelGrain = 16384;

template <typename T>
void dropout_loop(T* out, const T* src, int64_t count, uint64_t seed, uint64_t first, double p) {
  const T scale = static_cast<T>(math::dropout_scale(p));
#pragma omp parallel for if (count > kParallelGrain)
  for (int64_t i = 0; i < count; ++i)
    out[i] = math::dropout_apply(src[i], math::dropout_keep(seed, first + i, p), scale);
}

}  // namespace

void dropout_apply(const Tensor& out, const Tensor& src, uint64_t seed, uint64_t first,
                   double p) {
  TINT_DISPATCH_FLOATING(src.dtype(), "dropout", [&] {
    dropout_loop(out.data<scalar_t>(), src.data<scalar_t>(), src.numel(), seed, first, p);
  });
}

}  // namespace tint::cpu
