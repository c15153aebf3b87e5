// Per-element math of softmax, log_softmax and the softmax-based losses (cross-entropy with
// class indices or probability targets), shared by the CPU loops and the CUDA kernels. A row
// is reduced first (its max m, then s = sum exp(x - m)); these functions are what each
// element does with those row values. Acc is the accumulation type (double on the CPU).
#pragma once

#include <cmath>

#include "framework/core/hd.h"

namespace tint::math {

// Max-subtracted, so exp never overflows: the largest term is exp(0) = 1.
template <typename Acc>
TINT_HD Acc softmax_exp(Acc x, Acc row_max) {
  return std::exp(x - row_max);
}

template <typename Acc>
TINT_HD Acc softmax_output(Acc x, Acc row_max, Acc row_sum) {
  return std::exp(x - row_max) / row_sum;
}

template <typename Acc>
TINT_HD Acc log_softmax_output(Acc x, Acc row_max, Acc log_row_sum) {
  return x - row_max - log_row_sum;
}

// dL/dx of y = softmax(x) along the row: y * (g - sum_row(g * y)).
template <typename Acc>
TINT_HD Acc softmax_grad(Acc y, Acc g, Acc row_dot_gy) {
  return y * (g - row_dot_gy);
}

// dL/dx of y = log_softmax(x): g - softmax(x) * sum_row(g), with softmax = exp(y).
template <typename Acc>
TINT_HD Acc log_softmax_grad(Acc y, Acc g, Acc row_sum_g) {
  return g - std::exp(y) * row_sum_g;
}

// Cross-entropy with a class index, per logit: d/dx_c of -log_softmax(x)_t is
// softmax(x)_c - [c == t]; scale is the incoming gradient over the reduction's denominator.
template <typename Acc>
TINT_HD Acc cross_entropy_grad(Acc log_prob, bool is_target, Acc scale) {
  return (std::exp(log_prob) - (is_target ? Acc(1) : Acc(0))) * scale;
}

// Cross-entropy with probability targets t, per logit: d/dx_c of -sum_k t_k log_softmax(x)_k
// is softmax(x)_c * sum_k t_k - t_c (targets need not sum to one, as in PyTorch).
template <typename Acc>
TINT_HD Acc soft_cross_entropy_grad(Acc log_prob, Acc target, Acc row_sum_target, Acc scale) {
  return (std::exp(log_prob) * row_sum_target - target) * scale;
}

// ... and per target element: d/dt_c = -log_softmax(x)_c.
template <typename Acc>
TINT_HD Acc soft_cross_entropy_target_grad(Acc log_prob, Acc scale) {
  return -log_prob * scale;
}

}  // namespace tint::math
