// Host losses. The cross-entropies compute log_softmax once (cpu::softmax_forward) and keep
// it for the backward, where softmax = exp(log_probs); per-element math is math/softmax.h and
// math/loss.h. Sums accumulate in double.
#include "framework/ops/cpu/loss.h"

#include "framework/ops/cpu/softmax.h"
#include "framework/ops/math/loss.h"
#include "framework/ops/math/softmax.h"

namespace tint::cpu {

namespace {

constexpr int64_t kParallelGrain = 32768;

template <typename T>
double nll_loop(T* losses, const T* lp, const int64_t* target, int64_t n, int64_t classes,
                int64_t inner, int64_t ignore_index, int64_t* count_out) {
  double total = 0;
  int64_t count = 0;
  const int64_t positions = n * inner;
#pragma omp parallel for reduction(+ : total, count) if (positions > kParallelGrain)
  for (int64_t p = 0; p < positions; ++p) {
    const int64_t t = target[p];
    if (t == ignore_index) {
      losses[p] = T(0);
      continue;
    }
    const int64_t b = p / inner, i = p % inner;
    const double loss = -static_cast<double>(lp[(b * classes + t) * inner + i]);
    losses[p] = static_cast<T>(loss);
    total += loss;
    ++count;
  }
  *count_out = count;
  return total;
}

template <typename T>
void ce_backward_loop(T* gl, const T* lp, const int64_t* target, const T* g, bool per_position,
                      double scale, int64_t n, int64_t classes, int64_t inner,
                      int64_t ignore_index) {
  const int64_t positions = n * inner;
#pragma omp parallel for if (positions * classes > kParallelGrain)
  for (int64_t p = 0; p < positions; ++p) {
    const int64_t b = p / inner, i = p % inner, t = target[p];
    const double s = t == ignore_index ? 0.0 : static_cast<double>(g[per_position ? p : 0]) * scale;
    for (int64_t c = 0; c < classes; ++c) {
      const int64_t at = (b * classes + c) * inner + i;
      gl[at] = static_cast<T>(math::cross_entropy_grad<double>(lp[at], c == t, s));
    }
  }
}

template <typename T>
double soft_forward_loop(T* losses, const T* lp, const T* target, int64_t n, int64_t classes,
                         int64_t inner) {
  double total = 0;
  const int64_t positions = n * inner;
#pragma omp parallel for reduction(+ : total) if (positions * classes > kParallelGrain)
  for (int64_t p = 0; p < positions; ++p) {
    const int64_t b = p / inner, i = p % inner;
    double loss = 0;
    for (int64_t c = 0; c < classes; ++c) {
      const int64_t at = (b * classes + c) * inner + i;
      loss -= static_cast<double>(target[at]) * static_cast<double>(lp[at]);
    }
    losses[p] = static_cast<T>(loss);
    total += loss;
  }
  return total;
}

template <typename T>
void soft_backward_loop(T* gl, T* gt, const T* lp, const T* target, const T* g,
                        bool per_position, double scale, int64_t n, int64_t classes,
                        int64_t inner) {
  const int64_t positions = n * inner;
#pragma omp parallel for if (positions * classes > kParallelGrain)
  for (int64_t p = 0; p < positions; ++p) {
    const int64_t b = p / inner, i = p % inner;
    const double s = static_cast<double>(g[per_position ? p : 0]) * scale;
    double target_sum = 0;
    for (int64_t c = 0; c < classes; ++c) target_sum += target[(b * classes + c) * inner + i];
    for (int64_t c = 0; c < classes; ++c) {
      const int64_t at = (b * classes + c) * inner + i;
      if (gl)
        gl[at] = static_cast<T>(
            math::soft_cross_entropy_grad<double>(lp[at], target[at], target_sum, s));
      if (gt) gt[at] = static_cast<T>(math::soft_cross_entropy_target_grad<double>(lp[at], s));
    }
  }
}

template <typename T>
double mse_forward_loop(T* errors, const T* x, const T* t, int64_t count) {
  double total = 0;
#pragma omp parallel for reduction(+ : total) if (count > kParallelGrain)
  for (int64_t i = 0; i < count; ++i) {
    const double e = math::squared_error<double>(x[i], t[i]);
    if (errors) errors[i] = static_cast<T>(e);
    total += e;
  }
  return total;
}

template <typename T>
void mse_backward_loop(T* gx, T* gt, const T* x, const T* t, const T* g, bool per_position,
                       double scale, int64_t count) {
#pragma omp parallel for if (count > kParallelGrain)
  for (int64_t i = 0; i < count; ++i) {
    const double s = static_cast<double>(g[per_position ? i : 0]) * scale;
    const double d = math::squared_error_grad<double>(x[i], t[i], s);
    if (gx) gx[i] = static_cast<T>(d);
    if (gt) gt[i] = static_cast<T>(-d);
  }
}

template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

bool find_invalid_class(const Tensor& target, int64_t classes, int64_t ignore_index,
                        int64_t* bad) {
  const int64_t* p = target.data<int64_t>();
  for (int64_t i = 0; i < target.numel(); ++i) {
    if (p[i] != ignore_index && (p[i] < 0 || p[i] >= classes)) {
      *bad = p[i];
      return true;
    }
  }
  return false;
}

CrossEntropySums cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                       const Tensor& logits, const Tensor& target, int64_t n,
                                       int64_t classes, int64_t inner, int64_t ignore_index) {
  softmax_forward(log_probs, logits, n, classes, inner, /*log=*/true);
  CrossEntropySums sums;
  TINT_DISPATCH_FLOATING(logits.dtype(), "cross_entropy", [&] {
    sums.total = nll_loop(losses.data<scalar_t>(), log_probs.data<scalar_t>(),
                          target.data<int64_t>(), n, classes, inner, ignore_index, &sums.count);
  });
  return sums;
}

void cross_entropy_backward(const Tensor& grad_logits, const Tensor& log_probs,
                            const Tensor& target, const Tensor& grad_out, bool per_position,
                            double scale, int64_t n, int64_t classes, int64_t inner,
                            int64_t ignore_index) {
  TINT_DISPATCH_FLOATING(log_probs.dtype(), "cross_entropy backward", [&] {
    ce_backward_loop(grad_logits.data<scalar_t>(), log_probs.data<scalar_t>(),
                     target.data<int64_t>(), grad_out.data<scalar_t>(), per_position, scale, n,
                     classes, inner, ignore_index);
  });
}

double soft_cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                  const Tensor& logits, const Tensor& target, int64_t n,
                                  int64_t classes, int64_t inner) {
  softmax_forward(log_probs, logits, n, classes, inner, /*log=*/true);
  return TINT_DISPATCH_FLOATING(logits.dtype(), "cross_entropy_soft", [&] {
    return soft_forward_loop(losses.data<scalar_t>(), log_probs.data<scalar_t>(),
                             target.data<scalar_t>(), n, classes, inner);
  });
}

void soft_cross_entropy_backward(const Tensor& grad_logits, const Tensor& grad_target,
                                 const Tensor& log_probs, const Tensor& target,
                                 const Tensor& grad_out, bool per_position, double scale,
                                 int64_t n, int64_t classes, int64_t inner) {
  TINT_DISPATCH_FLOATING(log_probs.dtype(), "cross_entropy_soft backward", [&] {
    soft_backward_loop(data_or_null<scalar_t>(grad_logits), data_or_null<scalar_t>(grad_target),
                       log_probs.data<scalar_t>(), target.data<scalar_t>(),
                       grad_out.data<scalar_t>(), per_position, scale, n, classes, inner);
  });
}

double mse_forward(const Tensor& errors, const Tensor& input, const Tensor& target) {
  return TINT_DISPATCH_FLOATING(input.dtype(), "mse_loss", [&] {
    return mse_forward_loop(data_or_null<scalar_t>(errors), input.data<scalar_t>(),
                            target.data<scalar_t>(), input.numel());
  });
}

void mse_backward(const Tensor& grad_input, const Tensor& grad_target, const Tensor& input,
                  const Tensor& target, const Tensor& grad_out, bool per_position, double scale) {
  TINT_DISPATCH_FLOATING(input.dtype(), "mse_loss backward", [&] {
    mse_backward_loop(data_or_null<scalar_t>(grad_input), data_or_null<scalar_t>(grad_target),
                      input.data<scalar_t>(), target.data<scalar_t>(), grad_out.data<scalar_t>(),
                      per_position, scale, input.numel());
  });
}

}  // namespace tint::cpu
