// Timing marks on CUDA events (framework/cuda/timing_marks.h): one pool of events per
// device, handed out in order and all returned at once by release_timing_marks(). A mark's
// id is device << 32 | index in that device's pool.
#include <cuda_runtime.h>

#include <mutex>
#include <vector>

#include "framework/cuda/context.h"
#include "framework/cuda/timing_marks.h"

namespace tint::cuda {

namespace {

struct EventPool {
  std::vector<cudaEvent_t> events;
  size_t used = 0;
};

std::mutex pools_mutex;
std::vector<EventPool>& pools() {
  static std::vector<EventPool> p;
  return p;
}

// A mark's event, checked to be one handed out since the last release.
cudaEvent_t event_of(int64_t id) {
  const int64_t device = id >> 32;
  const size_t index = static_cast<size_t>(id & 0xffffffffLL);
  TINT_CHECK(device >= 0 && static_cast<size_t>(device) < pools().size() &&
                 index < pools()[static_cast<size_t>(device)].used,
             "cuda timing marks: mark ", id, " was not recorded since the last release");
  return pools()[static_cast<size_t>(device)].events[index];
}

}  // namespace

int64_t record_timing_mark(int device) {
  Context& ctx = context(device);
  std::lock_guard<std::mutex> lock(pools_mutex);
  if (pools().size() <= static_cast<size_t>(device)) pools().resize(static_cast<size_t>(device) + 1);
  EventPool& pool = pools()[static_cast<size_t>(device)];
  if (pool.used == pool.events.size()) {
    int current = 0;
    TINT_CUDA_CHECK(cudaGetDevice(&current));
    ctx.activate();  // an event belongs to the device current at its creation
    cudaEvent_t event = nullptr;
    const cudaError_t created = cudaEventCreate(&event);
    cudaSetDevice(current);
    TINT_CUDA_CHECK(created, "(a timing mark on cuda:", device, ")");
    pool.events.push_back(event);
  }
  TINT_CUDA_CHECK(cudaEventRecord(pool.events[pool.used], ctx.stream()));
  return (static_cast<int64_t>(device) << 32) | static_cast<int64_t>(pool.used++);
}

double seconds_between_marks(int64_t start, int64_t end) {
  cudaEvent_t a = nullptr, b = nullptr;
  {
    std::lock_guard<std::mutex> lock(pools_mutex);
    a = event_of(start);
    b = event_of(end);
  }
  TINT_CUDA_CHECK(cudaEventSynchronize(b), "(waiting for a timing mark)");
  float ms = 0;
  TINT_CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
  return static_cast<double>(ms) / 1000.0;
}

void release_timing_marks() {
  std::lock_guard<std::mutex> lock(pools_mutex);
  for (EventPool& pool : pools()) pool.used = 0;
}

}  // namespace tint::cuda
