// The backward engine: topological order from the root's node, gradients accumulated per
// node, leaf gradients accumulated with +=.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint {

void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph);

}  // namespace tint
