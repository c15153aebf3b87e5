// Host reductions. Sums accumulate in double so float32 results do not depend on order
// more than rounding of the final value.
#include "framework/ops/cpu/reduce.h"

#include <cstring>

namespace tint::cpu {

namespace {
template <typename T>
void sum_loop(T* po, const T* px, int64_t outer, int64_t n, int64_t inner) {
#pragma omp parallel for if (outer * n * inner > 65536)
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      double acc = 0;
      const T* p = px + o * n * inner + i;
      for (int64_t k = 0; k < n; ++k) acc += static_cast<double>(p[k * inner]);
      po[o * inner + i] = static_cast<T>(acc);
    }
  }
}
}  // namespace

void sum_dim(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner) {
  TINT_DISPATCH_ALL(x.dtype(), "sum", [&] {
    sum_loop(out.data<scalar_t>(), x.data<scalar_t>(), outer, n, inner);
  });
}

void max_dim(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
             int64_t n, int64_t inner) {
  TINT_DISPATCH_ALL(x.dtype(), "max", [&] {
    const scalar_t* px = x.data<scalar_t>();
    scalar_t* pv = values.defined() ? values.data<scalar_t>() : nullptr;
    int64_t* pi = indices.defined() ? indices.data<int64_t>() : nullptr;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const scalar_t* p = px + o * n * inner + i;
        int64_t best = 0;
        for (int64_t k = 1; k < n; ++k)
          if (p[k * inner] > p[best * inner] || p[k * inner] != p[k * inner]) {
            best = k;
            if (p[k * inner] != p[k * inner]) break;  // NaN wins, as in PyTorch
          }
        if (pv) pv[o * inner + i] = p[best * inner];
        if (pi) pi[o * inner + i] = best;
      }
    }
  });
}

void scatter_dim(const Tensor& grad_in, const Tensor& grad, const Tensor& indices, int64_t outer,
                 int64_t n, int64_t inner) {
  TINT_DISPATCH_FLOATING(grad.dtype(), "max backward", [&] {
    scalar_t* pgi = grad_in.data<scalar_t>();
    const scalar_t* pg = grad.data<scalar_t>();
    const int64_t* pi = indices.data<int64_t>();
    std::memset(pgi, 0, grad_in.nbytes());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        pgi[(o * n + pi[o * inner + i]) * inner + i] = pg[o * inner + i];
  });
}

}  // namespace tint::cpu
