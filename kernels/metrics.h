// Colorization accuracy as in the report and Zhang et al. (section 3.1): the per-pixel L2
// distance in ab between prediction and ground truth, the cumulative fraction of pixels
// within threshold t for t = 0..150, and the area under that curve normalised to [0, 1]
// (trapezoidal rule over [0, 150], divided by 150). Pixels may be weighted (Zhang's
// class-rebalanced AuC weights each pixel by the rebalancing weight of its true colour).
// Host computation: inputs on any device are copied to the cpu.
#pragma once

#include <vector>

#include "framework/tensor/tensor.h"

namespace tint::color {

constexpr int kAucMaxThreshold = 150;

// Per-pixel ab distances of (N, 2, H, W) prediction and truth → (N, H, W), same dtype.
Tensor ab_errors(const Tensor& pred_ab, const Tensor& true_ab);

struct AucResult {
  double pooled = 0;                 // AuC of all pixels together
  double mean_per_image = 0;         // mean of each image's AuC
  std::vector<double> per_image;     // each image's AuC
  std::vector<double> cumulative;    // fraction within t, t = 0..150 (pooled)
};

// AuC of the errors (N, H, W); weights (N, H, W) or undefined (all 1).
AucResult auc_from_errors(const Tensor& errors, const Tensor& weights = Tensor());
// Normalised area under a cumulative curve sampled at t = 0, 1, ..., size-1.
double area_under_curve(const std::vector<double>& cumulative);

// Accumulates pooled counts over many batches (an epoch's validation, a test set).
class AucAccumulator {
 public:
  void add(const Tensor& pred_ab, const Tensor& true_ab, const Tensor& weights = Tensor());
  AucResult result() const;
  int64_t images() const { return static_cast<int64_t>(per_image_.size()); }

 private:
  std::vector<double> within_ = std::vector<double>(kAucMaxThreshold + 1, 0.0);
  double total_ = 0;
  std::vector<double> per_image_;
};

}  // namespace tint::color
