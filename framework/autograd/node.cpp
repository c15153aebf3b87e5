// Recording op applications into the graph.
#include "framework/autograd/node.h"

#include "framework/autograd/grad_mode.h"

namespace tint {

std::vector<bool> Node::needs() const {
  std::vector<bool> result(edges.size());
  for (size_t i = 0; i < edges.size(); ++i) result[i] = edges[i].wants_grad();
  return result;
}

Node::~Node() {
  std::vector<std::shared_ptr<Node>> stack;
  for (Edge& e : edges)
    if (e.node) stack.push_back(std::move(e.node));
  while (!stack.empty()) {
    std::shared_ptr<Node> node = std::move(stack.back());
    stack.pop_back();
    if (node.use_count() == 1) {
      for (Edge& e : node->edges)
        if (e.node) stack.push_back(std::move(e.node));
      node->edges.clear();
    }
  }
}

void Node::release() {
  backward = nullptr;
  edges.clear();
  released = true;
}

Tensor record(Tensor out, const char* name, const std::vector<Tensor>& inputs,
              BackwardFn backward) {
  if (!GradMode::enabled()) return out;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return out;
  auto node = std::make_shared<Node>();
  node->name = name;
  node->backward = std::move(backward);
  for (const Tensor& t : inputs) {
    Edge edge;
    if (t.defined() && t.requires_grad()) {
      if (t.grad_fn()) edge.node = t.grad_fn();
      else edge.leaf = t.impl();
    }
    node->edges.push_back(edge);
    node->input_shapes.push_back(t.defined() ? t.shape() : Shape{});
  }
  out.impl()->grad_fn = std::move(node);
  out.impl()->requires_grad = true;
  return out;
}

}  // namespace tint
