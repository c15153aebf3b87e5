// CUDA graphs: work on a device's stream captured once and replayed, so the host's per-op
// cost (autograd, descriptors, launches) is paid at capture only. Plain C++, so apps use it
// in any build; without CUDA, constructing one is a tint::Error.
//
// Everything the captured work allocates comes from the graph's private pool of the device's
// caching allocator (framework/memory/caching_allocator.h): a replay writes exactly where the
// capture did, so that memory stays reserved for the graph until it is destroyed. The work
// must not wait for the host (no .item(), no host copies) and must not depend on host values
// that change between replays: a replay repeats every kernel with the arguments it had at
// capture (scalars, pointers, random seeds and counters). Run the work once with warmup()
// first, so one-time host work (cuDNN algorithm choice, lookup tables, the pool's segments)
// happens outside the capture.
#pragma once

#include <functional>
#include <memory>

namespace tint::cuda {

class Graph {
 public:
  explicit Graph(int device = 0);
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // Runs work() now, with its allocations from this graph's pool (not captured).
  void warmup(const std::function<void()>& work);
  // Captures work() into the graph (its stream work does not run now); once per graph. A
  // failure inside ends the capture and leaves the graph empty.
  void capture(const std::function<void()>& work);
  // Queues one replay on the device's stream (returns without waiting).
  void replay();
  bool captured() const;
  // Kernel and other nodes captured (0 before capture).
  size_t nodes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tint::cuda
