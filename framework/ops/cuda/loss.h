// CUDA twins of framework/ops/cpu/loss.h. The forwards return their sums on the host, as the
// CPU loops do, which waits for the device once per loss.
#pragma once

#include "framework/ops/cpu/loss.h"

namespace tint::cuda {

using cpu::CrossEntropySums;

bool find_invalid_class(const Tensor& target, int64_t classes, int64_t ignore_index,
                        int64_t* bad);
CrossEntropySums cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                       const Tensor& logits, const Tensor& target, int64_t n,
                                       int64_t classes, int64_t inner, int64_t ignore_index);
void cross_entropy_backward(const Tensor& grad_logits, const Tensor& log_probs,
                            const Tensor& target, const Tensor& grad_out, bool per_position,
                            double scale, int64_t n, int64_t classes, int64_t inner,
                            int64_t ignore_index);
double soft_cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                  const Tensor& logits, const Tensor& target, int64_t n,
                                  int64_t classes, int64_t inner);
void soft_cross_entropy_backward(const Tensor& grad_logits, const Tensor& grad_target,
                                 const Tensor& log_probs, const Tensor& target,
                                 const Tensor& grad_out, bool per_position, double scale,
                                 int64_t n, int64_t classes, int64_t inner);
double mse_forward(const Tensor& errors, const Tensor& input, const Tensor& target);
void mse_backward(const Tensor& grad_input, const Tensor& grad_target, const Tensor& input,
                  const Tensor& target, const Tensor& grad_out, bool per_position, double scale);

}  // namespace tint::cuda
