// Launch choices of the colorization kernels' CUDA side that do not change results beyond
// float rounding: how many threads share one logits row (the loss and the annealed mean;
// kernels/cuda/row_split.cuh). Process-wide, read at every call, plain C++ (so benchmarks
// and tests set them in any build; the CPU loops ignore them). bench_kernels --row-splits
// times each choice; the defaults are the fastest in the sweeps of docs/performance.md
// (one thread per row for both: H100 at batch 64, H200 at batch 32).
#pragma once

namespace tint::color {

constexpr int kRowSplits[] = {1, 2, 4, 8};  // the choices the kernels are built for

struct KernelSettings {
  int loss_row_split = 1;      // rebalanced cross-entropy forward and backward
  int annealed_row_split = 1;  // annealed mean of logits
};

KernelSettings& kernel_settings();

}  // namespace tint::color
