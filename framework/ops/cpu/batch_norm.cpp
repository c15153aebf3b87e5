// Host batch norm: per-channel reductions in double, then math/batch_norm.h per element.
// Element (b, c, i) of the (N, C, HW) input sits at (b * C + c) * HW + i.
#include "framework/ops/cpu/batch_norm.h"

#include "framework/ops/math/batch_norm.h"

namespace tint::cpu {

namespace {

constexpr int64_t kParallelGrain = 32768;

template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

template <typename T>
void stats_loop(T* mean, T* var, const T* x, int64_t n, int64_t channels, int64_t hw) {
  const double count = static_cast<double>(n * hw);
#pragma omp parallel for if (n * channels * hw > kParallelGrain)
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0;
    for (int64_t b = 0; b < n; ++b) {
      const T* p = x + (b * channels + c) * hw;
      for (int64_t i = 0; i < hw; ++i) sum += p[i];
    }
    const double m = sum / count;
    // Second pass around the mean: no cancellation for large-mean channels.
    double sq = 0;
    for (int64_t b = 0; b < n; ++b) {
      const T* p = x + (b * channels + c) * hw;
      for (int64_t i = 0; i < hw; ++i) {
        const double d = p[i] - m;
        sq += d * d;
      }
    }
    mean[c] = static_cast<T>(m);
    var[c] = static_cast<T>(sq / count);
  }
}

template <typename T>
void forward_loop(T* out, const T* x, const T* mean, const T* invstd, const T* w, const T* bias,
                  int64_t n, int64_t channels, int64_t hw) {
#pragma omp parallel for collapse(2) if (n * channels * hw > kParallelGrain)
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      const double m = mean[c], is = invstd[c];
      const double wc = w ? static_cast<double>(w[c]) : 1.0;
      const double bc = bias ? static_cast<double>(bias[c]) : 0.0;
      const int64_t base = (b * channels + c) * hw;
      for (int64_t i = 0; i < hw; ++i)
        out[base + i] = static_cast<T>(math::bn_forward<double>(x[base + i], m, is, wc, bc));
    }
  }
}

template <typename T>
void backward_loop(T* gi, T* gw, T* gb, const T* g, const T* x, const T* mean, const T* invstd,
                   const T* w, bool training, int64_t n, int64_t channels, int64_t hw) {
  const double count = static_cast<double>(n * hw);
#pragma omp parallel for if (n * channels * hw > kParallelGrain)
  for (int64_t c = 0; c < channels; ++c) {
    const double m = mean[c], is = invstd[c];
    double sum_g = 0, sum_g_xhat = 0;
    for (int64_t b = 0; b < n; ++b) {
      const int64_t base = (b * channels + c) * hw;
      for (int64_t i = 0; i < hw; ++i) {
        sum_g += g[base + i];
        sum_g_xhat += g[base + i] * math::bn_normalize<double>(x[base + i], m, is);
      }
    }
    if (gw) gw[c] = static_cast<T>(sum_g_xhat);
    if (gb) gb[c] = static_cast<T>(sum_g);
    if (!gi) continue;
    const double w_invstd = (w ? static_cast<double>(w[c]) : 1.0) * is;
    const double mean_g = sum_g / count, mean_g_xhat = sum_g_xhat / count;
    for (int64_t b = 0; b < n; ++b) {
      const int64_t base = (b * channels + c) * hw;
      for (int64_t i = 0; i < hw; ++i) {
        const double gv = g[base + i];
        gi[base + i] = static_cast<T>(
            training ? math::bn_backward_train<double>(
                           gv, math::bn_normalize<double>(x[base + i], m, is), w_invstd, mean_g,
                           mean_g_xhat)
                     : math::bn_backward_eval<double>(gv, w_invstd));
      }
    }
  }
}

template <typename T>
void invstd_loop(T* invstd, const T* var, int64_t channels, double eps) {
  for (int64_t c = 0; c < channels; ++c)
    invstd[c] = static_cast<T>(math::bn_invstd<double>(var[c], eps));
}

template <typename T>
void running_loop(T* rm, T* rv, const T* mean, const T* var, int64_t channels, double momentum,
                  double count) {
  for (int64_t c = 0; c < channels; ++c) {
    if (rm) rm[c] = static_cast<T>(math::bn_running_update<double>(rm[c], mean[c], momentum));
    if (rv)
      rv[c] = static_cast<T>(math::bn_running_update<double>(
          rv[c], math::bn_unbiased_var<double>(var[c], count), momentum));
  }
}

}  // namespace

void batch_norm_stats(const Tensor& mean, const Tensor& var, const Tensor& x, int64_t n,
                      int64_t channels, int64_t hw) {
  TINT_DISPATCH_FLOATING(x.dtype(), "batch_norm2d", [&] {
    stats_loop(mean.data<scalar_t>(), var.data<scalar_t>(), x.data<scalar_t>(), n, channels, hw);
  });
}

void batch_norm_invstd(const Tensor& invstd, const Tensor& var, double eps) {
  TINT_DISPATCH_FLOATING(var.dtype(), "batch_norm2d", [&] {
    invstd_loop(invstd.data<scalar_t>(), var.data<scalar_t>(), var.numel(), eps);
  });
}

void batch_norm_update_running(const Tensor& running_mean, const Tensor& running_var,
                               const Tensor& mean, const Tensor& var, double momentum,
                               int64_t count) {
  TINT_DISPATCH_FLOATING(mean.dtype(), "batch_norm2d", [&] {
    running_loop(data_or_null<scalar_t>(running_mean), data_or_null<scalar_t>(running_var),
                 mean.data<scalar_t>(), var.data<scalar_t>(), mean.numel(), momentum,
                 static_cast<double>(count));
  });
}

void batch_norm_forward(const Tensor& out, const Tensor& x, const Tensor& mean,
                        const Tensor& invstd, const Tensor& weight, const Tensor& bias, int64_t n,
                        int64_t channels, int64_t hw) {
  TINT_DISPATCH_FLOATING(x.dtype(), "batch_norm2d", [&] {
    forward_loop(out.data<scalar_t>(), x.data<scalar_t>(), mean.data<scalar_t>(),
                 invstd.data<scalar_t>(), data_or_null<scalar_t>(weight),
                 data_or_null<scalar_t>(bias), n, channels, hw);
  });
}

void batch_norm_backward(const Tensor& grad_in, const Tensor& grad_weight,
                         const Tensor& grad_bias, const Tensor& grad_out, const Tensor& x,
                         const Tensor& mean, const Tensor& invstd, const Tensor& weight,
                         bool training, int64_t n, int64_t channels, int64_t hw) {
  TINT_DISPATCH_FLOATING(x.dtype(), "batch_norm2d backward", [&] {
    backward_loop(data_or_null<scalar_t>(grad_in), data_or_null<scalar_t>(grad_weight),
                  data_or_null<scalar_t>(grad_bias), grad_out.data<scalar_t>(),
                  x.data<scalar_t>(), mean.data<scalar_t>(), invstd.data<scalar_t>(),
                  data_or_null<scalar_t>(weight), training, n, channels, hw);
  });
}

}  // namespace tint::cpu
