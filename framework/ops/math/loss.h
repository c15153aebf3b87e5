// Per-element math of the regression losses (mean squared error), shared by the CPU loops and
// the CUDA kernels. The softmax-based losses live with softmax in math/softmax.h.
#pragma once

#include "framework/core/hd.h"

namespace tint::math {

template <typename Acc>
TINT_HD Acc squared_error(Acc x, Acc t) {
  const Acc d = x - t;
  return d * d;
}

// d/dx of (x - t)^2 times the incoming gradient over the reduction's denominator; the
// target's gradient is its negation.
template <typename Acc>
TINT_HD Acc squared_error_grad(Acc x, Acc t, Acc scale) {
  return Acc(2) * (x - t) * scale;
}

}  // namespace tint::math
