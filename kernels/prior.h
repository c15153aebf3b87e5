// The class-rebalancing prior of Zhang et al. (eq. 3-4): the empirical distribution of the
// 313 ab bins over a dataset (a histogram of each pixel's nearest bin), smoothed with a
// Gaussian over the bin centres, and the weights w ∝ ((1 - λ) p + λ / Q)^-1 normalised so
// that sum_q p_q w_q = 1. Also its safetensors file (counts, probabilities, weights and the
// parameters as metadata).
//
// Smoothing choice: p_smooth[q] = sum_r p[r] exp(-|c_q - c_r|² / (2σ²)), renormalised to
// sum 1. Zhang's released code smoothed the histogram on the 10-unit ab grid with a 2-D
// Gaussian filter; on that grid this is the same kernel evaluated at the bin centres. The
// renormalisation removes the mass the grid filter would have spread onto out-of-gamut
// cells, so p_smooth stays a distribution over the 313 bins. σ = 0 means no smoothing.
#pragma once

#include <cstdint>
#include <string>

#include "framework/tensor/tensor.h"
#include "kernels/ab_bins.h"

namespace tint::color {

struct ColorPrior {
  Tensor counts;         // (313) float64: pixels whose nearest bin is q
  Tensor probabilities;  // (313) float64: counts normalised and smoothed, sum 1
  Tensor weights;        // (313) float32: rebalancing weights, sum_q p_q w_q = 1
  double lambda = 0.5;   // mixing weight of the uniform distribution
  double sigma = 5.0;    // smoothing sigma in ab units
  int64_t pixels = 0;    // sum of counts
  int64_t images = 0;    // images the counts came from (0 when unknown)
};

// A zero (313) float64 histogram on the device, ready for accumulate_ab_histogram.
Tensor empty_ab_histogram(Device device = Device::cpu());

// Adds, for every pixel of ab ((N, 2, H, W) or (2, H, W), float32 or float64, channel 0 = a,
// 1 = b), one to counts[nearest bin]. counts is a (313) float64 tensor on the same device as
// ab (the CUDA path accumulates with atomics and never waits for the device). Pixels with a
// non-finite a or b are not counted, on either device (Lab from 8-bit images has none).
void accumulate_ab_histogram(Tensor& counts, const Tensor& ab);

// The Gaussian smoothing above: probabilities (313, any floating dtype, non-negative, not all
// zero) in, a (313) float64 distribution out. sigma >= 0 in ab units.
Tensor smooth_ab_distribution(const Tensor& probabilities, double sigma,
                              const AbBins& bins = AbBins::standard());

// w_q = 1 / ((1 - lambda) p_q + lambda / Q), scaled so that sum_q p_q w_q = 1, in float64.
// p is a (313) distribution (sums to 1 within 1e-6); lambda in [0, 1], and lambda = 0 needs
// every p_q > 0.
Tensor rebalancing_weights(const Tensor& probabilities, double lambda);

// counts (313, non-negative, finite, not all zero) -> the full prior.
ColorPrior prior_from_counts(const Tensor& counts, double lambda = 0.5, double sigma = 5.0);

// The "tint.format" metadata value of a prior file.
inline constexpr const char* kPriorFormat = "tint.color_prior";

// The prior as safetensors (atomic write): tensors "counts" (f64), "probabilities" (f64),
// "weights" (f32); metadata format = kPriorFormat, version, lambda, sigma, pixels,
// images, bins (the bin file's name) and bins_fnv1a (a hash of the centres, so a prior made
// with another bin order is refused on load).
void save_prior(const std::string& path, const ColorPrior& prior);
// Reads a prior; a file that is not one (missing tensors or metadata, wrong shapes or
// dtypes, other bins, negative or non-finite values) is a tint::Error naming the file.
ColorPrior load_prior(const std::string& path);

}  // namespace tint::color
