// Soft-encoding of ground-truth ab values over the 313 bins (Zhang et al. section 2.1, the
// report's target): each pixel's K nearest bin centres, weighted by a Gaussian of the
// distance (sigma in ab units) and normalised to sum 1. ab is (N, 2, H, W) float32/float64 in
// Lab units (not scaled). Lookups are exact (the same bins as a brute-force scan, ties to the
// lower index) and O(1) per pixel; CPU and CUDA tensors alike. Not differentiable (a target).
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"
#include "kernels/ab_bins.h"

namespace tint::color {

struct SoftEncodeOptions {
  // Neighbours, 1..32. The paper and the report use 5; Zhang's released training layer, 10.
  int64_t k = 5;
  double sigma = 5.0;            // Gaussian width, ab units
  const AbBins* bins = nullptr;  // nullptr: AbBins::standard()
};

struct SoftEncoding {
  Tensor indices;  // (N, K, H, W) int64, ascending by (distance, index): [:, 0] is the nearest
  Tensor weights;  // (N, K, H, W) of ab's dtype, summing to 1 over K
};

// The nearest bin of every pixel: (N, H, W) int64 on ab's device.
Tensor nearest_bins(const Tensor& ab, const AbBins& bins = AbBins::standard());
// The sparse form: indices and weights of the K nearest.
SoftEncoding soft_encode(const Tensor& ab, const SoftEncodeOptions& options = {});
// The dense form: (N, 313, H, W) of ab's dtype, zero outside each pixel's K nearest.
Tensor soft_encode_dense(const Tensor& ab, const SoftEncodeOptions& options = {});

}  // namespace tint::color
