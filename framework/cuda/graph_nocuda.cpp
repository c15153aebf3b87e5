// CUDA graphs in a build without CUDA: a clear error at construction.
#include "framework/core/error.h"
#include "framework/cuda/graph.h"

namespace tint::cuda {

struct Graph::State {};

Graph::Graph(int) {
  TINT_FAIL("cuda::Graph: this build of tint has no CUDA backend (configure with "
            "-DTINT_CUDA=ON on a machine with the CUDA toolkit and cuDNN)");
}
Graph::~Graph() = default;
void Graph::warmup(const std::function<void()>&) {}
void Graph::capture(const std::function<void()>&) {}
void Graph::replay() {}
bool Graph::captured() const { return false; }
size_t Graph::nodes() const { return 0; }

}  // namespace tint::cuda
