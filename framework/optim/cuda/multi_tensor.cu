// Multi-tensor apply: the slot array and a chunk table (slot, first element) travel to the
// device in one buffer; block b updates chunk b of kChunk elements. One launch per step,
// whatever the number of parameters.
#include <cstring>

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

template <typename Slot>
void launch(const std::vector<Slot>& slots, Device device) {
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
  const Tensor table = from_buffer(host.data(), {static_cast<int64_t>(host.size())},
                                   DType::UInt8, device);
  const char* base = static_cast<const char*>(table.raw_data());
  apply_kernel<<<static_cast<unsigned>(chunks.size()), kThreads, 0, stream_of(table)>>>(
      reinterpret_cast<const Slot*>(base), reinterpret_cast<const Chunk*>(base + slot_bytes));
  check_launch("optimizer multi_tensor_apply");
}

}  // namespace

void adam_multi_tensor(const std::vector<AdamSlot<float>>& slots, Device device) {
  launch(slots, device);
}
void adam_multi_tensor(const std::vector<AdamSlot<double>>& slots, Device device) {
  launch(slots, device);
}
void sgd_multi_tensor(const std::vector<SgdSlot<float>>& slots, Device device) {
  launch(slots, device);
}
void sgd_multi_tensor(const std::vector<SgdSlot<double>>& slots, Device device) {
  launch(slots, device);
}

}  // namespace tint::cuda
