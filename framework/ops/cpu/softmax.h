// Host loops of softmax and log_softmax over one dim of a contiguous tensor seen as
// (outer, n, inner): each of the outer * inner rows has n elements, inner apart.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::cpu {

// out and x contiguous, same shape and floating dtype.
void softmax_forward(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log);
// y is the forward output (softmax, or log_softmax when log); all contiguous.
void softmax_backward(const Tensor& grad_in, const Tensor& y, const Tensor& grad_out,
                      int64_t outer, int64_t n, int64_t inner, bool log);

}  // namespace tint::cpu
