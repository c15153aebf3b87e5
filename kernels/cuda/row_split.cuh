// Rows split between threads for the rebalanced cross-entropy kernels:
// a block of kRowsPerBlock x kSplit threads takes kRowsPerBlock rows (threadIdx.x, so a warp
// reads consecutive positions of each class plane) and gives each row's classes to kSplit
// threads (threadIdx.y) in ranges of whole chunks. One thread per row left too few threads
// for a GPU (a 64 x 313 x 44 x 44 batch has 124k rows) and kept too few loads in flight.
// Partial exponential sums meet in shared memory and merge with math::merge_row_sums.
#pragma once

#include "kernels/cuda/launch.cuh"
#include "kernels/math/color_loss.h"

namespace tint::color::cuda {

constexpr int kRowsPerBlock = 64;
constexpr int kSplit = 4;
static_assert(kRowsPerBlock * kSplit == kThreads, "a row block is one kThreads block");

struct RowSplit {
  int64_t row;              // this thread's row
  bool active;              // row < rows
  int64_t c_begin, c_end;   // its classes
};

__device__ inline RowSplit row_split(int64_t rows, int64_t classes) {
  RowSplit r;
  r.row = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + threadIdx.x;
  r.active = r.row < rows;
  const int64_t per_part =
      ((classes + kSplit - 1) / kSplit + math::kRowChunk - 1) / math::kRowChunk * math::kRowChunk;
  r.c_begin = threadIdx.y * per_part < classes ? threadIdx.y * per_part : classes;
  r.c_end = r.c_begin + per_part < classes ? r.c_begin + per_part : classes;
  return r;
}

inline unsigned row_blocks(int64_t rows) {
  return static_cast<unsigned>((rows + kRowsPerBlock - 1) / kRowsPerBlock);
}

inline dim3 row_block() { return dim3(kRowsPerBlock, kSplit); }

// Partial sums of each (part, row) of a block, in shared memory (plain doubles: __shared__
// storage cannot run RowSums' initialisers).
template <int K>
struct SharedRowSums {
  double m[kSplit][kRowsPerBlock], s[kSplit][kRowsPerBlock];
  double f[K > 0 ? K : 1][kSplit][kRowsPerBlock];

  __device__ void put(const math::RowSums<K>& r) {
    m[threadIdx.y][threadIdx.x] = r.m;
    s[threadIdx.y][threadIdx.x] = r.s;
    for (int q = 0; q < K; ++q) f[q][threadIdx.y][threadIdx.x] = r.f[q];
  }
  // The merged sums of this thread's row (after a __syncthreads()).
  __device__ math::RowSums<K> merged(double scale) const {
    math::RowSums<K> total;
    for (int part = 0; part < kSplit; ++part) {
      math::RowSums<K> r;
      r.m = m[part][threadIdx.x];
      r.s = s[part][threadIdx.x];
      for (int q = 0; q < K; ++q) r.f[q] = f[q][part][threadIdx.x];
      total = part == 0 ? r : math::merge_row_sums(total, r, scale);
    }
    return total;
  }
};

}  // namespace tint::color::cuda
