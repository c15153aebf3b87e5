// Reverse-mode engine. Nodes run in reverse topological order (iterative DFS, so deep
// graphs do not overflow the stack), under no-grad, each once with the sum of the
// gradients flowing into it. Pending gradients are summed out of place, so a gradient
// passed through unchanged to several inputs is never aliased and mutated; a leaf's first
// gradient is stored as a copy for the same reason, unless nothing else can reach it.
#include "framework/autograd/engine.h"

#include <unordered_map>
#include <unordered_set>

#include "framework/autograd/grad_mode.h"
#include "framework/autograd/node.h"
#include "framework/ops/elementwise.h"
#include "framework/tensor/factories.h"

namespace tint {

namespace {

// Whether nothing but this handle can reach t's values: the only handle on its TensorImpl,
// which is the only one on its storage, a plain contiguous tensor from its start (a fresh
// result of a node's backward, typically).
bool exclusively_owned(const Tensor& t) {
  const std::shared_ptr<TensorImpl>& impl = t.impl();
  return impl.use_count() == 1 && impl->storage && impl->storage.use_count() == 1 &&
         impl->offset == 0 && t.is_contiguous() && !impl->grad && !impl->grad_fn &&
         !impl->requires_grad;
}

void accumulate_leaf(TensorImpl& leaf, const Tensor& grad) {
  if (!leaf.grad) {
    // Taken as it is when no one else can see it (no copy: a training step's parameter
    // gradients arrive this way), else copied, since .grad later accumulates in place.
    leaf.grad = exclusively_owned(grad) ? grad.impl() : grad.clone().impl();
  } else {
    Tensor(leaf.grad).add_(grad);
  }
}

std::vector<Node*> topological_order(Node* root) {
  std::vector<Node*> order;
  std::unordered_set<Node*> visited{root};
  std::vector<std::pair<Node*, size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->edges.size()) {
      Node* child = node->edges[next++].node.get();
      if (child && visited.insert(child).second) stack.push_back({child, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return {order.rbegin(), order.rend()};  // root first
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph) {
  TINT_CHECK(root.requires_grad(),
             "backward: the tensor does not require grad and has no history (did an input "
             "call set_requires_grad(), and was grad mode on?)");
  Tensor seed = gradient;
  if (!seed.defined()) {
    TINT_CHECK(root.numel() == 1, "backward: without a gradient argument the tensor must hold "
               "one element, but its shape is ", shape_str(root.shape()));
    seed = ones_like(root);
  }
  TINT_CHECK(seed.shape() == root.shape() && seed.dtype() == root.dtype(),
             "backward: gradient ", describe(seed), " does not match the tensor ", describe(root));
  NoGradGuard no_grad;
  if (!root.grad_fn()) {
    accumulate_leaf(*root.impl(), seed);
    return;
  }
  const std::shared_ptr<Node> keep_root = root.grad_fn();
  const std::vector<Node*> order = topological_order(keep_root.get());
  // Hold every node alive until the pass ends, even as edges are released.
  std::vector<std::shared_ptr<Node>> alive;
  for (Node* node : order)
    for (const Edge& e : node->edges)
      if (e.node) alive.push_back(e.node);
  std::unordered_map<Node*, Tensor> pending{{keep_root.get(), seed}};
  for (Node* node : order) {
    TINT_CHECK(!node->released, "backward: the graph through '", node->name,
               "' was already freed by an earlier backward; call backward(grad, "
               "/*retain_graph=*/true) the first time to run it twice");
    auto it = pending.find(node);
    if (it == pending.end()) continue;
    const Tensor grad_out = it->second;
    pending.erase(it);
    std::vector<Tensor> grads = node->backward(grad_out, node->needs());
    TINT_CHECK(grads.size() == node->edges.size(), "autograd: backward of '", node->name,
               "' returned ", grads.size(), " gradients for ", node->edges.size(), " inputs");
    for (size_t i = 0; i < grads.size(); ++i) {
      const Edge& edge = node->edges[i];
      if (!edge.wants_grad() || !grads[i].defined()) continue;
      TINT_CHECK(grads[i].shape() == node->input_shapes[i], "autograd: backward of '",
                 node->name, "' returned a gradient of shape ", shape_str(grads[i].shape()),
                 " for input ", i, " of shape ", shape_str(node->input_shapes[i]));
      if (edge.node) {
        auto [slot, inserted] = pending.try_emplace(edge.node.get(), grads[i]);
        if (!inserted) slot->second = add(slot->second, grads[i]);
      } else {
        accumulate_leaf(*edge.leaf, grads[i]);
      }
    }
    if (!retain_graph) node->release();
  }
}

}  // namespace tint
