// Host fill loop (cpu/fill.h).
#include "framework/ops/cpu/fill.h"

#include "framework/core/dtype.h"

namespace tint::cpu {

void fill_contiguous(const Tensor& out, double value) {
  TINT_DISPATCH_STORAGE(out.dtype(), "fill", [&] {
    scalar_t* p = out.data<scalar_t>();
    const scalar_t v = static_cast<scalar_t>(value);
    const int64_t n = out.numel();
    for (int64_t i = 0; i < n; ++i) p[i] = v;
  });
}

}  // namespace tint::cpu
