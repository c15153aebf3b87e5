// Checks for every CUDA runtime, cuBLAS and cuDNN call and every kernel launch: a failure is
// a tint::Error naming the call, the library's own message and any context given (shapes).
// Only for CUDA translation units.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "framework/core/error.h"

#define TINT_CUDA_CHECK(call, ...)                                                        \
  do {                                                                                    \
    const cudaError_t tint_err_ = (call);                                                 \
    if (tint_err_ != cudaSuccess)                                                         \
      TINT_FAIL("CUDA call ", #call, " failed: ", cudaGetErrorString(tint_err_), " ",     \
                ##__VA_ARGS__);                                                           \
  } while (0)

#define TINT_CUBLAS_CHECK(call, ...)                                                      \
  do {                                                                                    \
    const cublasStatus_t tint_st_ = (call);                                               \
    if (tint_st_ != CUBLAS_STATUS_SUCCESS)                                                \
      TINT_FAIL("cuBLAS call ", #call, " failed: ", cublasGetStatusString(tint_st_), " ", \
                ##__VA_ARGS__);                                                           \
  } while (0)

#define TINT_CUDNN_CHECK(call, ...)                                                       \
  do {                                                                                    \
    const cudnnStatus_t tint_st_ = (call);                                                \
    if (tint_st_ != CUDNN_STATUS_SUCCESS)                                                 \
      TINT_FAIL("cuDNN call ", #call, " failed: ", cudnnGetErrorString(tint_st_), " ",    \
                ##__VA_ARGS__);                                                           \
  } while (0)

namespace tint::cuda {
// After a kernel launch: checks the launch, and with TINT_CUDA_SYNC=1 also waits for the
// kernel and checks its execution, so an error is reported at the op that caused it.
void check_launch(const char* kernel_name);
}  // namespace tint::cuda
