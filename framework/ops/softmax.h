// softmax and log_softmax over one dim, computed stably (max subtracted).
#pragma once

#include "framework/tensor/tensor.h"

namespace tint {

Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace tint
