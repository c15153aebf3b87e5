// Main of the CUDA test binary: with no usable device it prints why and exits 77, which
// CTest reports as skipped (never as passed). With a device, every device allocation is
// filled with NaN bytes first (TINT_CUDA_SENTINEL), so outputs a kernel forgets to write
// fail the parity tests.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

#include "framework/cuda/runtime.h"

int main(int argc, char** argv) {
  if (!tint::cuda::built_with_cuda()) {
    std::puts("tint_cuda_tests: this build has no CUDA backend; skipping");
    return 77;
  }
  if (!tint::cuda::available()) {
    std::puts("tint_cuda_tests: no CUDA device is present; skipping");
    return 77;
  }
  setenv("TINT_CUDA_SENTINEL", "1", /*overwrite=*/0);
  return Catch::Session().run(argc, argv);
}
