// Annealed-mean decoding of a predicted distribution over the 313 bins into ab (report eq. 3,
// Zhang et al. section 2.3): H(Z) = sum_q f_T(Z)_q * centre_q with f_T(z) = exp(log z / T)
// normalised. T -> 0 gives the mode (the centre of the most likely bin), T = 1 the mean;
// Zhang and the report use T = 0.38. Inference only: the output records no gradient.
#pragma once

#include "framework/tensor/tensor.h"
#include "kernels/ab_bins.h"

namespace tint::color {

constexpr double kAnnealedTemperature = 0.38;

// logits (N, 313, ...) (typically (N, 313, h, w)) -> (N, 2, ...) ab of the same dtype and
// device: softmax(logits / T) dotted with the bin centres, in one pass per position.
Tensor annealed_mean(const Tensor& logits, double temperature = kAnnealedTemperature,
                     const AbBins& bins = AbBins::standard());
// The same from probabilities p >= 0 (e.g. a softmax output): p^(1/T) normalised, computed
// as softmax(log p / T), so a zero probability gets zero weight.
Tensor annealed_mean_from_probs(const Tensor& probs, double temperature = kAnnealedTemperature,
                                const AbBins& bins = AbBins::standard());

}  // namespace tint::color
