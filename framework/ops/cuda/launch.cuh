// Shared pieces of the CUDA kernels: launch geometry, a grid-stride loop, and an indexer
// that maps a row-major linear index to storage offsets of up to three strided views
// (broadcast operands have stride 0), passed to kernels by value.
#pragma once

#include <cstdint>

#include "framework/cuda/check.h"
#include "framework/cuda/context.h"
#include "framework/tensor/tensor.h"

namespace tint::cuda {

constexpr int kThreads = 256;
constexpr int kMaxRank = 8;

inline unsigned blocks_for(int64_t n, int threads = kThreads) {
  const int64_t b = (n + threads - 1) / threads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 16 ? 65535 * 16 : b));
}

// The stream of the device a tensor lives on (and makes that device current).
inline cudaStream_t stream_of(const Tensor& t) { return context(t.device().index).stream(); }

#define TINT_GRID_STRIDE(i, n)                                                          \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

template <int N>
struct Indexer {
  int rank = 0;
  int64_t sizes[kMaxRank];
  int64_t strides[N][kMaxRank];
  int64_t base[N];

  __device__ __forceinline__ void offsets(int64_t linear, int64_t* out) const {
    for (int k = 0; k < N; ++k) out[k] = base[k];
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t idx = linear % sizes[d];
      linear /= sizes[d];
      for (int k = 0; k < N; ++k) out[k] += idx * strides[k][d];
    }
  }
};

// Builds an indexer over out_shape; views[k] is read with broadcasting (stride 0 on
// size-1 or missing leading dims).
template <int N>
Indexer<N> make_indexer(const Shape& out_shape, const Tensor* const* views) {
  Indexer<N> ix;
  TINT_CHECK(out_shape.size() <= static_cast<size_t>(kMaxRank), "CUDA kernels support tensors "
             "of rank up to ", kMaxRank, ", got shape ", shape_str(out_shape));
  ix.rank = static_cast<int>(out_shape.size());
  for (int d = 0; d < ix.rank; ++d) ix.sizes[d] = out_shape[d];
  for (int k = 0; k < N; ++k) {
    const Tensor& v = *views[k];
    const size_t lead = out_shape.size() - v.shape().size();
    ix.base[k] = v.offset();
    for (int d = 0; d < ix.rank; ++d)
      ix.strides[k][d] = (static_cast<size_t>(d) < lead || v.shape()[d - lead] == 1)
                             ? 0
                             : v.strides()[d - lead];
  }
  return ix;
}

template <typename T>
T* base_of(const Tensor& t) {
  return static_cast<T*>(t.impl()->storage->data());
}

}  // namespace tint::cuda
