// TINT_HD: marks per-element math that both the CPU loops and the CUDA kernels call.
// Outside nvcc it expands to nothing, so CPU tests exercise the exact arithmetic the GPU runs.
#pragma once

#if defined(__CUDACC__)
#define TINT_HD __host__ __device__ __forceinline__
#else
#define TINT_HD inline
#endif

// Asks nvcc to unroll the next loop n times in device code (so a thread has several
// independent loads in flight); nothing in host code.
#if defined(__CUDA_ARCH__)
#define TINT_PRAGMA(x) _Pragma(#x)
#define TINT_DEVICE_UNROLL(n) TINT_PRAGMA(unroll n)
#else
#define TINT_DEVICE_UNROLL(n)
#endif
