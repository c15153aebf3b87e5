// A node of the autograd graph: one recorded op application. It holds an edge per input
// (the input's own node, or the leaf tensor that collects a gradient), the input shapes for
// checking, and the backward closure with whatever the op saved. Releasing a node frees
// the closure (and so the saved tensors) and its edges.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/tensor/tensor.h"

namespace tint {

// needs[i] says whether input i wants a gradient; the closure may leave the others undefined.
using BackwardFn =
    std::function<std::vector<Tensor>(const Tensor& grad_output, const std::vector<bool>& needs)>;

struct Edge {
  std::shared_ptr<Node> node;        // the input was produced by this node, or
  std::shared_ptr<TensorImpl> leaf;  // the input is a leaf that requires grad, or neither
  bool wants_grad() const { return node || leaf; }
};

struct Node {
  std::string name;
  std::vector<Edge> edges;
  std::vector<Shape> input_shapes;
  BackwardFn backward;
  bool released = false;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Frees the chain of nodes below iteratively, so dropping a long graph cannot overflow
  // the stack.
  ~Node();

  std::vector<bool> needs() const;
  void release();
};

// Attaches history to out when grad mode is on and some input requires grad; returns out.
// Undefined inputs are allowed (an absent bias) and never receive a gradient.
Tensor record(Tensor out, const char* name, const std::vector<Tensor>& inputs,
              BackwardFn backward);

}  // namespace tint
