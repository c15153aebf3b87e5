// Rows split between threads for the row kernels (rebalanced cross-entropy, annealed mean):
// a block of (kThreads / Split) x Split threads takes kThreads / Split rows (threadIdx.x, so
// a warp reads consecutive positions of each class plane) and gives each row's classes to
// Split threads (threadIdx.y) in ranges of whole chunks. With Split = 1 a thread takes a
// whole row; more threads per row keep more loads in flight when there are few rows (a
// 64 x 313 x 44 x 44 batch has 124k), at the price of merging. Partial exponential sums
// meet in shared memory and merge with math::merge_row_sums. The split is a runtime choice
// (color::kernel_settings()); kernels are instantiated for kRowSplits.
#pragma once

#include "kernels/cuda/launch.cuh"
#include "kernels/kernel_settings.h"
#include "kernels/math/color_loss.h"

namespace tint::color::cuda {

struct RowSplit {
  int64_t row;              // this thread's row
  bool active;              // row < rows
  int64_t c_begin, c_end;   // its classes
};

template <int Split>
constexpr int rows_per_block() {
  static_assert(kThreads % Split == 0, "a row block is one kThreads block");
  return kThreads / Split;
}

template <int Split>
__device__ inline RowSplit row_split(int64_t rows, int64_t classes) {
  RowSplit r;
  r.row = blockIdx.x * static_cast<int64_t>(rows_per_block<Split>()) + threadIdx.x;
  r.active = r.row < rows;
  const int64_t per_part =
      ((classes + Split - 1) / Split + math::kRowChunk - 1) / math::kRowChunk * math::kRowChunk;
  r.c_begin = threadIdx.y * per_part < classes ? threadIdx.y * per_part : classes;
  r.c_end = r.c_begin + per_part < classes ? r.c_begin + per_part : classes;
  return r;
}

template <int Split>
inline unsigned row_blocks(int64_t rows) {
  return static_cast<unsigned>((rows + rows_per_block<Split>() - 1) / rows_per_block<Split>());
}

template <int Split>
inline dim3 row_block() {
  return dim3(rows_per_block<Split>(), Split);
}

// Partial sums of each (part, row) of a block, in shared memory (plain doubles: __shared__
// storage cannot run RowSums' initialisers).
template <int K, int Split>
struct SharedRowSums {
  static constexpr int kRows = rows_per_block<Split>();
  double m[Split][kRows], s[Split][kRows];
  double f[K > 0 ? K : 1][Split][kRows];

  __device__ void put(const math::RowSums<K>& r) {
    m[threadIdx.y][threadIdx.x] = r.m;
    s[threadIdx.y][threadIdx.x] = r.s;
    for (int q = 0; q < K; ++q) f[q][threadIdx.y][threadIdx.x] = r.f[q];
  }
  // The merged sums of this thread's row (after a __syncthreads()).
  __device__ math::RowSums<K> merged(const math::ExpScale& scale) const {
    math::RowSums<K> total;
    for (int part = 0; part < Split; ++part) {
      math::RowSums<K> r;
      r.m = m[part][threadIdx.x];
      r.s = s[part][threadIdx.x];
      for (int q = 0; q < K; ++q) r.f[q] = f[q][part][threadIdx.x];
      total = part == 0 ? r : math::merge_row_sums(total, r, scale);
    }
    return total;
  }
};

// Calls launch.template operator()<S>() with the compile-time split S equal to split (one of
// kRowSplits); anything else is a tint::Error naming the setting.
template <typename Launch>
void with_row_split(int split, const char* setting, Launch&& launch) {
  switch (split) {
    case 1: launch.template operator()<1>(); break;
    case 2: launch.template operator()<2>(); break;
    case 4: launch.template operator()<4>(); break;
    case 8: launch.template operator()<8>(); break;
    default:
      TINT_FAIL("color::kernel_settings().", setting, " must be 1, 2, 4 or 8, got ", split);
  }
}

}  // namespace tint::color::cuda
