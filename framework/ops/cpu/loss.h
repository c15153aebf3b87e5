// Host loops of the losses. Logits are contiguous (N, C, inner) with the class dim in the
// middle; targets and per-position losses are (N, inner). Forward kernels fill the
// per-position losses and return their sum in double, so the caller can reduce without a
// second pass. Backward kernels take the incoming gradient either per position
// (reduction none) or as one scalar, times scale (1 / denominator for a mean).
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"

namespace tint::cpu {

struct CrossEntropySums {
  double total = 0;   // sum of the counted per-position losses
  int64_t count = 0;  // positions whose target is not ignore_index
};

// Returns true and sets *bad to the first target that is neither in [0, classes) nor
// ignore_index; false when every target is valid.
bool find_invalid_class(const Tensor& target, int64_t classes, int64_t ignore_index,
                        int64_t* bad);

// log_probs (N, C, inner) receives log_softmax over C; losses (N, inner) the negative
// log-probability of the target class (0 where ignored).
CrossEntropySums cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                       const Tensor& logits, const Tensor& target, int64_t n,
                                       int64_t classes, int64_t inner, int64_t ignore_index);
void cross_entropy_backward(const Tensor& grad_logits, const Tensor& log_probs,
                            const Tensor& target, const Tensor& grad_out, bool per_position,
                            double scale, int64_t n, int64_t classes, int64_t inner,
                            int64_t ignore_index);

// Probability targets of the logits' shape: losses = -sum_c target * log_softmax.
double soft_cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                  const Tensor& logits, const Tensor& target, int64_t n,
                                  int64_t classes, int64_t inner);
// Either gradient may be undefined (not wanted).
void soft_cross_entropy_backward(const Tensor& grad_logits, const Tensor& grad_target,
                                 const Tensor& log_probs, const Tensor& target,
                                 const Tensor& grad_out, bool per_position, double scale,
                                 int64_t n, int64_t classes, int64_t inner);

// Squared differences of contiguous same-shape tensors; errors may be undefined (only the
// sum is wanted).
double mse_forward(const Tensor& errors, const Tensor& input, const Tensor& target);
void mse_backward(const Tensor& grad_input, const Tensor& grad_target, const Tensor& input,
                  const Tensor& target, const Tensor& grad_out, bool per_position, double scale);

}  // namespace tint::cpu
