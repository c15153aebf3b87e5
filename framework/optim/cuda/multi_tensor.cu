// Multi-tensor apply: the slot array and a chunk table (slot, first element) travel to the
// device in one buffer; block b updates chunk b of kChunk elements. One launch per step,
// whatever the number of parameters. The buffer is a fresh upload each step, or (Staged
// mode, for CUDA graphs) the optimizer's persistent table: multi_tensor.h.
#include <cstring>

#include "framework/cuda/runtime.h"
#include "framework/ops/cuda/launch.cuh"
#include "framework/optim/cuda/multi_tensor.h"
#include "framework/tensor/factories.h"

namespace tint::cuda {

namespace {

constexpr int64_t kChunk = 16384;

struct Chunk {
  int32_t slot;
  int64_t begin;
};

template <typename Slot>
__global__ void apply_kernel(const Slot* slots, const Chunk* chunks) {
  const Chunk chunk = chunks[blockIdx.x];
  const Slot& s = slots[chunk.slot];
  const int64_t end = chunk.begin + kChunk < s.n ? chunk.begin + kChunk : s.n;
  for (int64_t i = chunk.begin + threadIdx.x; i < end; i += blockDim.x) {
    if constexpr (requires { s.m; }) {
      optim_math::adam_update(s.p[i], s.g[i], s.m[i], s.v[i], s.c);
    } else {
      optim_math::sgd_update(s.p[i], s.g[i], s.buf ? s.buf + i : nullptr, s.c);
    }
  }
}

// Whether two slots update the same tensors (pointers and sizes; the coefficients may differ).
template <typename Slot>
bool same_tensors(const Slot& a, const Slot& b) {
  if constexpr (requires { a.m; }) {
    if (a.m != b.m || a.v != b.v) return false;
  } else {
    if (a.buf != b.buf) return false;
  }
  return a.p == b.p && a.g == b.g && a.n == b.n;
}

}  // namespace

// One dtype's persistent table: its device buffer, page-locked host copy (whose slots are also
// what StageOnly checks against) and the event of its last eager upload (the host copy may be
// rewritten once it has passed).
struct StagingTable {
  Tensor device;  // as many bytes as the pinned copy
  void* pinned = nullptr;
  cudaEvent_t uploaded = nullptr;
  bool pending = false;

  StagingTable() = default;
  StagingTable(const StagingTable&) = delete;
  StagingTable& operator=(const StagingTable&) = delete;
  ~StagingTable() {
    if (pending) cudaEventSynchronize(uploaded);
    if (pinned) cudaFreeHost(pinned);
    if (uploaded) cudaEventDestroy(uploaded);
  }
};

struct MultiTensorStaging {
  StagingTable f32, f64;
  StagingTable& of(float*) { return f32; }
  StagingTable& of(double*) { return f64; }
};

std::shared_ptr<MultiTensorStaging> make_multi_tensor_staging() {
  return std::make_shared<MultiTensorStaging>();
}

namespace {

template <typename Slot>
void launch(const std::vector<Slot>& slots, Device device, MultiTensorStaging& staging) {
  if (slots.empty()) return;
  std::vector<Chunk> chunks;
  for (size_t k = 0; k < slots.size(); ++k)
    for (int64_t b = 0; b < slots[k].n; b += kChunk)
      chunks.push_back({static_cast<int32_t>(k), b});
  if (chunks.empty()) return;
  // One host buffer [slots | chunks], one copy to the device.
  const size_t slot_bytes = (sizeof(Slot) * slots.size() + 15) / 16 * 16;
  std::vector<char> host(slot_bytes + sizeof(Chunk) * chunks.size());
  std::memcpy(host.data(), slots.data(), sizeof(Slot) * slots.size());
  std::memcpy(host.data() + slot_bytes, chunks.data(), sizeof(Chunk) * chunks.size());
  const MultiTensorMode mode = multi_tensor_mode();
  StagingTable& t = staging.of(static_cast<decltype(slots[0].p)>(nullptr));
  if (mode == MultiTensorMode::StageOnly) {
    // The staged copy still holds the captured step's slots: the same tensors, or an error.
    bool same = t.pinned && t.device.nbytes() == host.size();
    const Slot* staged = static_cast<const Slot*>(t.pinned);
    for (size_t k = 0; same && k < slots.size(); ++k) same = same_tensors(staged[k], slots[k]);
    TINT_CHECK(same,
               "optimizer step: the parameters or their gradients are not those of the "
               "captured CUDA graph (a replay would update the captured ones); capture again");
    std::memcpy(t.pinned, host.data(), host.size());
    return;
  }
  const char* base = nullptr;
  Tensor table;
  cudaStream_t stream = context(device.index).stream();
  if (mode == MultiTensorMode::Launch) {
    table = from_buffer(host.data(), {static_cast<int64_t>(host.size())}, DType::UInt8, device);
    base = static_cast<const char*>(table.raw_data());
  } else {  // Staged
    const bool eager = !stream_capturing(device.index);
    if (t.pending && eager) TINT_CUDA_CHECK(cudaEventSynchronize(t.uploaded));
    t.pending = false;
    if (!t.device.defined() || t.device.nbytes() != host.size()) {
      if (t.pinned) TINT_CUDA_CHECK(cudaFreeHost(t.pinned));
      t.pinned = nullptr;
      TINT_CUDA_CHECK(cudaMallocHost(&t.pinned, host.size()), "(optimizer table of ",
                      host.size(), " bytes)");
      t.device = Tensor::empty({static_cast<int64_t>(host.size())}, DType::UInt8, device);
      if (!t.uploaded) TINT_CUDA_CHECK(cudaEventCreateWithFlags(&t.uploaded, cudaEventDisableTiming));
    }
    std::memcpy(t.pinned, host.data(), host.size());
    TINT_CUDA_CHECK(cudaMemcpyAsync(t.device.raw_data(), t.pinned, host.size(),
                                    cudaMemcpyHostToDevice, stream));
    if (eager) {
      TINT_CUDA_CHECK(cudaEventRecord(t.uploaded, stream));
      t.pending = true;
    }
    base = static_cast<const char*>(t.device.raw_data());
  }
  apply_kernel<<<static_cast<unsigned>(chunks.size()), kThreads, 0, stream>>>(
      reinterpret_cast<const Slot*>(base), reinterpret_cast<const Chunk*>(base + slot_bytes));
  check_launch("optimizer multi_tensor_apply");
}

}  // namespace

void adam_multi_tensor(const std::vector<AdamSlot<float>>& slots, Device device,
                       MultiTensorStaging& staging) {
  launch(slots, device, staging);
}
void adam_multi_tensor(const std::vector<AdamSlot<double>>& slots, Device device,
                       MultiTensorStaging& staging) {
  launch(slots, device, staging);
}
void sgd_multi_tensor(const std::vector<SgdSlot<float>>& slots, Device device,
                      MultiTensorStaging& staging) {
  launch(slots, device, staging);
}
void sgd_multi_tensor(const std::vector<SgdSlot<double>>& slots, Device device,
                      MultiTensorStaging& staging) {
  launch(slots, device, staging);
}

}  // namespace tint::cuda
