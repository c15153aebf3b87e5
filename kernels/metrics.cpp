// AuC of ab errors. Each pixel's error e counts toward every threshold t >= e; thresholds
// are integers, so a pixel is binned once at ceil(e) and the cumulative sums built after.
#include "kernels/metrics.h"

#include <cmath>

#include "framework/core/error.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/reduce.h"
#include "framework/ops/shape_ops.h"
#include "framework/tensor/factories.h"

namespace tint::color {

namespace {

// Adds each pixel's weight to bin ceil(e) (beyond 150: not counted within any threshold);
// returns the total weight.
double bin_errors(const double* e, const double* w, int64_t n, std::vector<double>& bins) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double weight = w ? w[i] : 1.0;
    total += weight;
    const double c = std::ceil(e[i]);
    if (c <= kAucMaxThreshold) bins[static_cast<size_t>(c < 0 ? 0 : c)] += weight;
  }
  return total;
}

std::vector<double> cumulative_fraction(const std::vector<double>& bins, double total) {
  std::vector<double> cum(bins.size());
  double run = 0;
  for (size_t t = 0; t < bins.size(); ++t) {
    run += bins[t];
    cum[t] = total > 0 ? run / total : 0.0;
  }
  return cum;
}

void check_pair(const Tensor& pred, const Tensor& truth) {
  TINT_CHECK(pred.defined() && truth.defined(), "ab_errors: undefined input");
  TINT_CHECK(pred.dim() == 4 && pred.size(1) == 2, "ab_errors: expected predicted ab of shape "
             "(N, 2, H, W), got ", shape_str(pred.shape()));
  TINT_CHECK(pred.shape() == truth.shape(), "ab_errors: predicted ab ", shape_str(pred.shape()),
             " and true ab ", shape_str(truth.shape()), " differ in shape");
}

}  // namespace

double area_under_curve(const std::vector<double>& cumulative) {
  TINT_CHECK(cumulative.size() >= 2, "area_under_curve: needs at least two thresholds");
  double area = 0;
  for (size_t t = 1; t < cumulative.size(); ++t) area += 0.5 * (cumulative[t - 1] + cumulative[t]);
  return area / static_cast<double>(cumulative.size() - 1);
}

Tensor ab_errors(const Tensor& pred_ab, const Tensor& true_ab) {
  check_pair(pred_ab, true_ab);
  const Tensor d = sub(pred_ab.detach(), true_ab.detach().to(pred_ab.device(), pred_ab.dtype()));
  return sqrt(sum(mul(d, d), 1));
}

void AucAccumulator::add(const Tensor& pred_ab, const Tensor& true_ab, const Tensor& weights) {
  const Tensor e = ab_errors(pred_ab, true_ab).cpu().to(DType::Float64).contiguous();
  const int64_t n = e.shape()[0], hw = e.numel() / std::max<int64_t>(n, 1);
  Tensor w;
  if (weights.defined()) {
    TINT_CHECK(weights.shape() == e.shape(), "AucAccumulator: weights of shape ",
               shape_str(weights.shape()), " do not match the errors' shape ",
               shape_str(e.shape()));
    w = weights.detach().cpu().to(DType::Float64).contiguous();
  }
  const double* pe = e.data<double>();
  const double* pw = w.defined() ? w.data<double>() : nullptr;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<double> bins(kAucMaxThreshold + 1, 0.0);
    const double total = bin_errors(pe + i * hw, pw ? pw + i * hw : nullptr, hw, bins);
    for (size_t t = 0; t < bins.size(); ++t) within_[t] += bins[t];
    total_ += total;
    per_image_.push_back(area_under_curve(cumulative_fraction(bins, total)));
  }
}

AucResult AucAccumulator::result() const {
  AucResult r;
  r.per_image = per_image_;
  r.cumulative = cumulative_fraction(within_, total_);
  r.pooled = area_under_curve(r.cumulative);
  double s = 0;
  for (double a : per_image_) s += a;
  r.mean_per_image = per_image_.empty() ? 0.0 : s / static_cast<double>(per_image_.size());
  return r;
}

AucResult auc_from_errors(const Tensor& errors, const Tensor& weights) {
  TINT_CHECK(errors.defined() && errors.dim() == 3, "auc_from_errors: expected errors of shape "
             "(N, H, W), got ", describe(errors));
  // Reuse the accumulator with errors as the distance of (e, 0) from (0, 0).
  const Tensor e = errors.detach().cpu().to(DType::Float64).unsqueeze(1);
  AucAccumulator acc;
  acc.add(cat({e, zeros_like(e)}, 1), zeros({e.shape()[0], 2, e.shape()[2], e.shape()[3]},
                                            TensorOptions{}.with_dtype(DType::Float64)),
          weights);
  return acc.result();
}

}  // namespace tint::color
