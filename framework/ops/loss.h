// Losses as PyTorch defines them. Class dim is 1: logits (N, C) or (N, C, d1, ...).
#pragma once

#include "framework/tensor/tensor.h"

namespace tint {

enum class Reduction { None, Mean, Sum };

// target: int64 class indices of shape (N, d1, ...); entries equal to ignore_index are
// skipped (mean divides by the number of counted entries, so all-ignored gives NaN, as in
// PyTorch). Any other index outside [0, C) is a tint::Error. None returns shape (N, d1, ...).
Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     Reduction reduction = Reduction::Mean, int64_t ignore_index = -100);
// target: probabilities with the logits' shape and dtype; mean divides by the number of
// positions (N * d1 * ...), as torch.nn.functional.cross_entropy with probability targets.
// The target gets a gradient (-log_softmax) too when it requires one.
Tensor cross_entropy_soft(const Tensor& logits, const Tensor& target,
                          Reduction reduction = Reduction::Mean);
// Mean (or sum) of squared differences of same-shape, same-dtype tensors (no broadcasting);
// target gets no gradient unless it requires one.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

}  // namespace tint
