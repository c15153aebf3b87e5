// Per-row math of the rebalanced cross-entropy and the annealed mean, shared by the CPU loops
// and the CUDA kernels (which both give one logits position, a "row" of 313 values `stride`
// apart, to one iteration or thread). The soft target is never stored: each row recomputes
// the K nearest bins of its ab pixels through the candidate table (math/ab_bins.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "framework/core/hd.h"
#include "kernels/math/ab_bins.h"

namespace tint::color::math {

// Logits (n, classes, h, w) against ab (n, 2, ab_h, ab_w), ab_h = fy * h, ab_w = fx * w.
// Logits position (i, j) owns the ab pixels (i * fy + dy, j * fx + dx), dy < block_h,
// dx < block_w: the whole fy x fx block when the loss is at the ab's resolution (full; the
// logits are then upsampled by nearest neighbour without being materialised), only the
// block's corner (block 1 x 1, Zhang's subsampled target) otherwise.
struct ColorLossGeometry {
  int64_t n = 0, classes = 0, h = 0, w = 0;
  int64_t ab_h = 0, ab_w = 0, fy = 1, fx = 1;
  bool full = true;

  TINT_HD int64_t block_h() const { return full ? fy : 1; }
  TINT_HD int64_t block_w() const { return full ? fx : 1; }
  TINT_HD int64_t rows() const { return n * h * w; }
  // Per-pixel losses are (n, loss_h, loss_w).
  TINT_HD int64_t loss_h() const { return full ? ab_h : h; }
  TINT_HD int64_t loss_w() const { return full ? ab_w : w; }
};

// True for a finite value: inf - inf and NaN - NaN are NaN, which compares unequal to 0.
// (Spelled out so host and device code need no isfinite overload.)
TINT_HD bool finite_value(double v) { return v - v == 0.0; }

// The precision of a row's inner arithmetic: float for float32 rows (on a GPU the row loops
// are arithmetic-bound in double: conversions and FP64 sums cost more than reading the row),
// double for float64 rows.
template <typename T>
using RowFloat = std::conditional_t<(sizeof(T) <= sizeof(float)), float, double>;

// Values of a row are read in chunks of this many (on the GPU: that many loads in flight per
// thread).
constexpr int kRowChunk = 8;

// How a row's values are scaled inside exp: divided by T (the loss: T = 1; the annealed mean:
// its temperature). Multiplying by 1 / T is the fast way, but below T = 1 / DBL_MAX (about
// 5.6e-309) 1 / T overflows to inf and the row's maximum would give (m - m) * inf = NaN; then
// the difference is divided by T instead, which is exact for every T > 0.
struct ExpScale {
  double t = 1.0, inv_t = 1.0;  // T > 0 and 1 / T (+inf for T < 1 / DBL_MAX)
  TINT_HD static ExpScale of_temperature(double t) {
    ExpScale s;
    s.t = t;
    s.inv_t = 1.0 / t;
    return s;
  }
  // d / T for a difference d = x - m <= 0 (d = 0 gives 0, -inf gives -inf, NaN stays NaN).
  TINT_HD double exponent(double d) const { return finite_value(inv_t) ? d * inv_t : d / t; }
};

// Exponential sums over part of a row: with m the part's maximum, s = sum_c exp((x_c - m) / T)
// and f_q = sum_c exp((x_c - m) / T) * weight(c, q) for K weight vectors. An empty part (or
// one of only -inf) has m = -inf and zero sums; NaN or +inf makes s NaN. Parts of one row
// combine with merge_row_sums, so a GPU can give a row's classes to several threads. Every
// T > 0 is exact: as T -> 0 the entries equal to the maximum weigh 1 and all others 0.
template <int K>
struct RowSums {
  double m = -INFINITY, s = 0;
  double f[K > 0 ? K : 1] = {};
};

// The sums of classes [c_begin, c_end) of a row whose values are `stride` apart, in one pass:
// the maximum is found online (the sums are rescaled when a chunk raises it), so each value is
// read once. Per chunk the exponentials and the chunk's sums are in RowFloat<T> and added into
// double totals, so a float32 row's rounding is that of a few float operations per chunk.
// exp_of(v, m) is exp((v - m) / T) for an entry v <= m (row_exp_sums picks it).
template <typename T, int K, typename Weight, typename ExpOf>
TINT_HD RowSums<K> row_exp_sums_with(const T* x, int64_t c_begin, int64_t c_end, int64_t stride,
                                     const ExpScale& scale, const Weight& weight,
                                     const ExpOf& exp_of) {
  using F = RowFloat<T>;
  F m = -INFINITY;
  RowSums<K> r;
  for (int64_t c0 = c_begin; c0 < c_end; c0 += kRowChunk) {
    const int64_t n = c_end - c0 < kRowChunk ? c_end - c0 : kRowChunk;
    F v[kRowChunk];
    TINT_DEVICE_UNROLL(8)
    for (int j = 0; j < kRowChunk; ++j)
      v[j] = j < n ? static_cast<F>(x[(c0 + j) * stride]) : F(-INFINITY);
    F cm = m;
    for (int j = 0; j < kRowChunk; ++j)
      if (v[j] > cm) cm = v[j];
    if (cm > m) {  // a larger maximum: earlier terms shrink by exp((m - cm) / T)
      const double shrink = std::exp(scale.exponent(static_cast<double>(m - cm)));
      r.s *= shrink;
      for (int q = 0; q < K; ++q) r.f[q] *= shrink;
      m = cm;
    }
    F ps = 0, pf[K > 0 ? K : 1] = {};
    for (int j = 0; j < kRowChunk; ++j) {
      if (v[j] == F(-INFINITY)) continue;  // also the chunk's padding
      const F e = exp_of(v[j], m);
      ps += e;
      for (int q = 0; q < K; ++q) pf[q] += e * static_cast<F>(weight(c0 + j, q));
    }
    r.s += static_cast<double>(ps);
    for (int q = 0; q < K; ++q) r.f[q] += static_cast<double>(pf[q]);
  }
  r.m = static_cast<double>(m);
  return r;
}

// row_exp_sums_with for the scale: (v - m) * (1 / T) in the row's precision when 1 / T fits
// it (always for the loss), else (v - m) / T in double (T below about 2.9e-39 for a float32
// row), where the product would give 0 * inf = NaN at the maximum.
template <typename T, int K, typename Weight>
TINT_HD RowSums<K> row_exp_sums(const T* x, int64_t c_begin, int64_t c_end, int64_t stride,
                                const ExpScale& scale, const Weight& weight) {
  using F = RowFloat<T>;
  const F sc = static_cast<F>(scale.inv_t);
  if (finite_value(static_cast<double>(sc)))
    return row_exp_sums_with<T, K>(x, c_begin, c_end, stride, scale, weight,
                                   [sc](F v, F m) { return std::exp((v - m) * sc); });
  return row_exp_sums_with<T, K>(x, c_begin, c_end, stride, scale, weight, [scale](F v, F m) {
    return static_cast<F>(
        std::exp(scale.exponent(static_cast<double>(v) - static_cast<double>(m))));
  });
}

// The sums of two parts of one row as if computed over both.
template <int K>
TINT_HD RowSums<K> merge_row_sums(const RowSums<K>& a, const RowSums<K>& b,
                                  const ExpScale& scale) {
  // A part with m = -inf adds its s times 0: nothing, or its NaN.
  const double m = b.m > a.m ? b.m : a.m;
  const double ra = a.m == -INFINITY ? 0.0 : std::exp(scale.exponent(a.m - m));
  const double rb = b.m == -INFINITY ? 0.0 : std::exp(scale.exponent(b.m - m));
  RowSums<K> r;
  r.m = m;
  r.s = a.s * ra + b.s * rb;
  for (int q = 0; q < K; ++q) r.f[q] = a.f[q] * ra + b.f[q] * rb;
  return r;
}

// log(sum_c exp(x_c)) from a row's sums. NaN or +inf anywhere gives NaN, a row of only -inf
// gives -inf: the forward counts both as bad rows.
template <int K>
TINT_HD double logsumexp_of(const RowSums<K>& r) {
  return r.m + std::log(r.s);
}

template <typename T>
TINT_HD RowSums<0> row_plain_sums(const T* x, int64_t c_begin, int64_t c_end, int64_t stride) {
  return row_exp_sums<T, 0>(x, c_begin, c_end, stride, ExpScale{},
                            [](int64_t, int) { return 0.0f; });
}

template <typename T>
TINT_HD double row_logsumexp(const T* x, int64_t classes, int64_t stride) {
  return logsumexp_of(row_plain_sums(x, 0, classes, stride));
}

// Everything a row needs besides its geometry.
template <typename T>
struct RebalancedArgs {
  const T* logits = nullptr;        // (n, classes, h, w)
  const T* ab = nullptr;            // (n, 2, ab_h, ab_w)
  const T* class_weights = nullptr; // (classes), or null: every pixel weighs 1
  const uint8_t* mask = nullptr;    // (n): 0 drops the image's loss, or null: keep all
  BinTable table;
  int32_t k = 5;
  double inv_two_sigma_sq = 1.0 / 50.0;
};

// One ab pixel's loss given its row's log-sum-exp: v * sum_k z_k * (lse - x[idx_k]), with the
// soft-encoding in registers (ab_soft_encode_fixed, capacity picked from k).
template <typename T>
struct PixelLoss {
  const RebalancedArgs<T>& args;
  T a, b;
  double lse;
  const T* x;
  int64_t hw;
  double loss;

  template <int Cap>
  TINT_HD void run() {
    int32_t idx[Cap];
    double z[Cap];
    ab_soft_encode_fixed<Cap, double, T>(args.table, a, b, args.k, args.inv_two_sigma_sq, idx, z);
    const double v = args.class_weights ? static_cast<double>(args.class_weights[idx[0]]) : 1.0;
    double s = 0;
    TINT_DEVICE_UNROLL(32)
    for (int32_t q = 0; q < Cap; ++q)
      if (q < args.k) s += z[q] * (lse - static_cast<double>(x[idx[q] * hw]));
    loss = v * s;
  }
};

// Where a row is: its image nn, its position (i, j) on the logits grid, its first logit
// (base; classes are hw apart) and the ab plane's size.
struct RowPlace {
  int64_t hw, nn, i, j, base, plane;
  TINT_HD RowPlace(const ColorLossGeometry& g, int64_t row, int64_t classes) {
    hw = g.h * g.w;
    nn = row / hw;
    const int64_t ij = row % hw;
    i = ij / g.w;
    j = ij % g.w;
    base = nn * classes * hw + ij;
    plane = g.ab_h * g.ab_w;
  }
};

// Forward of one row: writes its log-sum-exp, the loss of each of its ab pixels
// v * sum_k z_k * (lse - x[idx_k]) (= -v * sum_k z_k log_softmax(x)[idx_k]) when `losses` is
// given, adds them to *total, and counts non-finite ab pixels (left out) and a non-finite
// log-sum-exp (a NaN or infinite logit).
template <typename T>
TINT_HD void rebalanced_row_losses(const ColorLossGeometry& g, const RebalancedArgs<T>& args,
                                   int64_t row, double lse, T* losses, double* total,
                                   int64_t* bad_targets, int64_t* bad_rows) {
  const RowPlace at(g, row, g.classes);
  const int64_t hw = at.hw, nn = at.nn, plane = at.plane;
  const T* x = args.logits + at.base;
  if (!finite_value(lse)) ++*bad_rows;
  const bool on = args.mask == nullptr || args.mask[nn] != 0;
  for (int64_t dy = 0; dy < g.block_h(); ++dy) {
    for (int64_t dx = 0; dx < g.block_w(); ++dx) {
      const int64_t y = at.i * g.fy + dy, xc = at.j * g.fx + dx;
      const int64_t k = nn * 2 * plane + y * g.ab_w + xc;
      const T a = args.ab[k], b = args.ab[k + plane];
      double loss = 0;
      if (!finite_value(static_cast<double>(a)) || !finite_value(static_cast<double>(b))) {
        ++*bad_targets;
      } else if (on) {
        PixelLoss<T> f{args, a, b, lse, x, hw, 0.0};
        with_soft_encode_capacity(args.k, f);
        loss = f.loss;
      }
      if (losses) {
        const int64_t p = g.full ? (nn * g.ab_h + y) * g.ab_w + xc : row;
        losses[p] = static_cast<T>(loss);
      }
      *total += loss;
    }
  }
}

// The forward of one row in one call (the CPU loop's): its log-sum-exp, then its losses.
template <typename T>
TINT_HD void rebalanced_row_forward(const ColorLossGeometry& g, const RebalancedArgs<T>& args,
                                    int64_t row, T* losses, double* lse_out, double* total,
                                    int64_t* bad_targets, int64_t* bad_rows) {
  const RowPlace at(g, row, g.classes);
  const double lse = row_logsumexp(args.logits + at.base, g.classes, at.hw);
  *lse_out = lse;
  rebalanced_row_losses(g, args, row, lse, losses, total, bad_targets, bad_rows);
}

// Backward of one row. With s_p the incoming gradient of pixel p times `scale` and v_p its
// class weight, d loss / d x_c = sum_p s_p v_p (softmax_c * sum_k z_pk - z_pc) and
// sum_k z_pk = 1, so the row is softmax * (sum_p s_p v_p) minus the pixels' sparse targets:
// written densely first (classes may be split between GPU threads), then the K entries of
// each pixel are subtracted. The three parts follow.

template <typename T>
TINT_HD double backward_pixel_scale(const ColorLossGeometry& g, const RebalancedArgs<T>& args,
                                    const RowPlace& at, int64_t row, int64_t y, int64_t xc,
                                    int32_t nearest, const T* grad_out, bool per_position,
                                    double scale) {
  const int64_t p = g.full ? (at.nn * g.ab_h + y) * g.ab_w + xc : row;
  const double v = args.class_weights ? static_cast<double>(args.class_weights[nearest]) : 1.0;
  return static_cast<double>(grad_out[per_position ? p : 0]) * scale * v;
}

// 1. sum_p s_p v_p over the row's pixels (0 for a masked image).
template <typename T>
TINT_HD double rebalanced_row_grad_total(const ColorLossGeometry& g, const RebalancedArgs<T>& args,
                                         int64_t row, const T* grad_out, bool per_position,
                                         double scale) {
  const RowPlace at(g, row, g.classes);
  if (args.mask != nullptr && args.mask[at.nn] == 0) return 0;
  double total = 0;
  for (int64_t dy = 0; dy < g.block_h(); ++dy) {
    for (int64_t dx = 0; dx < g.block_w(); ++dx) {
      const int64_t y = at.i * g.fy + dy, xc = at.j * g.fx + dx;
      const int64_t k = at.nn * 2 * at.plane + y * g.ab_w + xc;
      total += backward_pixel_scale(g, args, at, row, y, xc,
                                    ab_nearest<T>(args.table, args.ab[k], args.ab[k + at.plane]),
                                    grad_out, per_position, scale);
    }
  }
  return total;
}

// 2. softmax * total for classes [c_begin, c_end), in the row's precision (RowFloat<T>): each
// chunk's values are loaded before any is written, so the loads overlap.
template <typename T>
TINT_HD void rebalanced_row_grad_dense(const ColorLossGeometry& g, const RebalancedArgs<T>& args,
                                       int64_t row, T* grad, double lse, double total,
                                       int64_t c_begin, int64_t c_end) {
  using F = RowFloat<T>;
  const RowPlace at(g, row, g.classes);
  const T* x = args.logits + at.base;
  T* gr = grad + at.base;
  const F lse_f = static_cast<F>(lse), total_f = static_cast<F>(total);
  for (int64_t c0 = c_begin; c0 < c_end; c0 += kRowChunk) {
    const int64_t n = c_end - c0 < kRowChunk ? c_end - c0 : kRowChunk;
    F v[kRowChunk];
    TINT_DEVICE_UNROLL(8)
    for (int j = 0; j < kRowChunk; ++j)
      v[j] = j < n ? static_cast<F>(x[(c0 + j) * at.hw]) : F(0);
    TINT_DEVICE_UNROLL(8)
    for (int j = 0; j < kRowChunk; ++j)
      if (j < n) gr[(c0 + j) * at.hw] = static_cast<T>(std::exp(v[j] - lse_f) * total_f);
  }
}

// One pixel's sparse target subtracted from its row's gradient (soft-encoding in registers).
template <typename T>
struct PixelTargets {
  const ColorLossGeometry& g;
  const RebalancedArgs<T>& args;
  const RowPlace& at;
  int64_t row, y, xc, k;
  T* gr;
  const T* grad_out;
  bool per_position;
  double scale;

  template <int Cap>
  TINT_HD void run() {
    int32_t idx[Cap];
    double z[Cap];
    ab_soft_encode_fixed<Cap, double, T>(args.table, args.ab[k], args.ab[k + at.plane], args.k,
                                         args.inv_two_sigma_sq, idx, z);
    const double s =
        backward_pixel_scale(g, args, at, row, y, xc, idx[0], grad_out, per_position, scale);
    TINT_DEVICE_UNROLL(32)
    for (int32_t q = 0; q < Cap; ++q) {
      if (q >= args.k) continue;
      T& e = gr[idx[q] * at.hw];
      e = static_cast<T>(static_cast<double>(e) - s * z[q]);
    }
  }
};

// 3. minus each pixel's sparse target (after every class of the row was written).
template <typename T>
TINT_HD void rebalanced_row_grad_targets(const ColorLossGeometry& g, const RebalancedArgs<T>& args,
                                         int64_t row, T* grad, const T* grad_out,
                                         bool per_position, double scale) {
  const RowPlace at(g, row, g.classes);
  if (args.mask != nullptr && args.mask[at.nn] == 0) return;
  T* gr = grad + at.base;
  for (int64_t dy = 0; dy < g.block_h(); ++dy) {
    for (int64_t dx = 0; dx < g.block_w(); ++dx) {
      const int64_t y = at.i * g.fy + dy, xc = at.j * g.fx + dx;
      const int64_t k = at.nn * 2 * at.plane + y * g.ab_w + xc;
      PixelTargets<T> f{g, args, at, row, y, xc, k, gr, grad_out, per_position, scale};
      with_soft_encode_capacity(args.k, f);
    }
  }
}

// The backward of one row in one call (the CPU loop's).
template <typename T>
TINT_HD void rebalanced_row_backward(const ColorLossGeometry& g, const RebalancedArgs<T>& args,
                                     int64_t row, T* grad, double lse, const T* grad_out,
                                     bool per_position, double scale) {
  const double total = rebalanced_row_grad_total(g, args, row, grad_out, per_position, scale);
  rebalanced_row_grad_dense(g, args, row, grad, lse, total, 0, g.classes);
  rebalanced_row_grad_targets(g, args, row, grad, grad_out, per_position, scale);
}

// The annealed mean's sums over classes [c_begin, c_end) of a row of logits (divided by T,
// the bin centres ca, cb as the weights), and the ab they give.
template <typename T>
TINT_HD RowSums<2> annealed_sums(const T* x, int64_t c_begin, int64_t c_end, int64_t stride,
                                 const ExpScale& scale, const float* ca, const float* cb) {
  return row_exp_sums<T, 2>(x, c_begin, c_end, stride, scale,
                            [ca, cb](int64_t c, int q) { return q == 0 ? ca[c] : cb[c]; });
}
TINT_HD void annealed_of(const RowSums<2>& r, double* out_a, double* out_b) {
  *out_a = r.f[0] / r.s;
  *out_b = r.f[1] / r.s;
}

// Annealed mean of one row: softmax(y / T) . centres with y = x (logits) or y = log x
// (probabilities, so the weights are p^(1/T) normalised). Max-subtracted before the division
// by T, so no T > 0 overflows or gives NaN: as T -> 0 all weight goes to the largest entry
// (the mode), shared equally by entries tied for the largest (the mean of their centres). A
// row of only -inf logits (or zero probabilities) has no weights: NaN.
template <typename T>
TINT_HD void annealed_row(const T* x, int64_t classes, int64_t stride, const ExpScale& scale,
                          bool from_probs, const float* ca, const float* cb, double* out_a,
                          double* out_b) {
  if (!from_probs) {  // logits: one pass (row_exp_sums) with the centres as the weights
    annealed_of(annealed_sums(x, 0, classes, stride, scale, ca, cb), out_a, out_b);
    return;
  }
  // Probabilities: log(p) in double (a float log would be magnified by 1 / T), its maximum
  // subtracted, then divided by T, in two passes; p = 0 weighs 0.
  auto log_p = [&](int64_t c) { return std::log(static_cast<double>(x[c * stride])); };
  double m = -INFINITY;
  for (int64_t c = 0; c < classes; ++c) {
    const double y = log_p(c);
    if (y > m) m = y;
  }
  double s = 0, sa = 0, sb = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const double e = std::exp(scale.exponent(log_p(c) - m));
    s += e;
    sa += e * static_cast<double>(ca[c]);
    sb += e * static_cast<double>(cb[c]);
  }
  *out_a = sa / s;
  *out_b = sb / s;
}

// Row r (of N * inner) of logits or probabilities (N, bins, inner) to its annealed-mean ab in
// out (N, 2, inner), as the loop and the kernel run it.
template <typename T>
TINT_HD void annealed_pixel(T* out, const T* x, const float* ca, const float* cb, int64_t r,
                            int64_t bins, int64_t inner, const ExpScale& scale,
                            bool from_probs) {
  const int64_t nn = r / inner, i = r % inner;
  double a = 0, b = 0;
  annealed_row(x + nn * bins * inner + i, bins, inner, scale, from_probs, ca, cb, &a, &b);
  out[nn * 2 * inner + i] = static_cast<T>(a);
  out[(nn * 2 + 1) * inner + i] = static_cast<T>(b);
}

}  // namespace tint::color::math
