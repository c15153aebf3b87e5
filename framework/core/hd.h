// TINT_HD: marks per-element math that both the CPU loops and the CUDA kernels call.
// Outside nvcc it expands to nothing, so CPU tests exercise the exact arithmetic the GPU runs.
#pragma once

#if defined(__CUDACC__)
#define TINT_HD __host__ __device__ __forceinline__
#else
#define TINT_HD inline
#endif
