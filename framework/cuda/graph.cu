// CUDA graph capture and replay on a context's stream, with the allocations of the captured
// work in a private pool of the context's caching allocator (graph.h).
#include "framework/cuda/context.h"
#include "framework/cuda/graph.h"

namespace tint::cuda {

namespace {

// Makes a pool active for a scope and restores the previous one.
class ActivePool {
 public:
  ActivePool(CachingAllocator& allocator, int pool)
      : allocator_(allocator), saved_(allocator.active_pool()) {
    allocator_.set_active_pool(pool);
  }
  ~ActivePool() {
    try {
      allocator_.set_active_pool(saved_);
    } catch (...) {
    }
  }
  ActivePool(const ActivePool&) = delete;
  ActivePool& operator=(const ActivePool&) = delete;

 private:
  CachingAllocator& allocator_;
  int saved_;
};

}  // namespace

struct Graph::State {
  int device = 0;
  int pool = 0;  // the private pool of the device's allocator, released with the graph
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  size_t nodes = 0;
};

Graph::Graph(int device) : state_(std::make_unique<State>()) {
  state_->device = device;
  state_->pool = context(device).allocator().create_pool();
}

Graph::~Graph() {
  try {
    Context& ctx = context(state_->device);
    ctx.activate();
    cudaStreamSynchronize(ctx.stream());  // a replay may still be running (and using the pool)
    if (state_->exec) cudaGraphExecDestroy(state_->exec);
    if (state_->graph) cudaGraphDestroy(state_->graph);
    ctx.allocator().release_pool(state_->pool);
  } catch (...) {
  }
}

void Graph::warmup(const std::function<void()>& work) {
  Context& ctx = context(state_->device);
  ctx.activate();
  const ActivePool active(ctx.allocator(), state_->pool);
  work();
}

void Graph::capture(const std::function<void()>& work) {
  TINT_CHECK(!state_->exec, "cuda::Graph: already captured (a graph captures once)");
  Context& ctx = context(state_->device);
  ctx.activate();
  TINT_CHECK(!sync_each_op(), "cuda::Graph: TINT_CUDA_SYNC=1 synchronises after every op, "
             "which a capture cannot; unset it");
  TINT_CUDA_CHECK(cudaStreamSynchronize(ctx.stream()), "(before capturing a graph)");
  {
    const ActivePool active(ctx.allocator(), state_->pool);
    // Relaxed: a cudaMalloc for a new segment of the pool (not a stream operation) does not
    // invalidate the capture; the memory is kept by the pool anyway.
    TINT_CUDA_CHECK(cudaStreamBeginCapture(ctx.stream(), cudaStreamCaptureModeRelaxed));
    try {
      work();
    } catch (...) {
      cudaGraph_t partial = nullptr;
      cudaStreamEndCapture(ctx.stream(), &partial);
      if (partial) cudaGraphDestroy(partial);
      cudaGetLastError();  // clear an invalidated capture's error
      throw;
    }
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(ctx.stream(), &graph);
    TINT_CHECK(ended == cudaSuccess && graph, "cuda::Graph: the capture failed (",
               cudaGetErrorString(ended), "): the work waited for the host or used the stream "
               "in a way capture does not allow");
    state_->graph = graph;
  }
  TINT_CUDA_CHECK(cudaGraphGetNodes(state_->graph, nullptr, &state_->nodes));
  TINT_CUDA_CHECK(cudaGraphInstantiate(&state_->exec, state_->graph, 0), "(instantiating a graph of ",
                  state_->nodes, " nodes)");
}

void Graph::replay() {
  TINT_CHECK(state_->exec, "cuda::Graph: replay before capture");
  Context& ctx = context(state_->device);
  ctx.activate();
  TINT_CUDA_CHECK(cudaGraphLaunch(state_->exec, ctx.stream()));
  if (sync_each_op()) TINT_CUDA_CHECK(cudaStreamSynchronize(ctx.stream()), "(graph replay)");
}

bool Graph::captured() const { return state_->exec != nullptr; }

size_t Graph::nodes() const { return state_->nodes; }

}  // namespace tint::cuda
