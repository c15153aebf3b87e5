// The CUDA context of one device: its stream, the cuBLAS and cuDNN handles bound to that
// stream (created on first use), and its caching allocator. Every op of the CUDA backend
// runs on context(device).stream, so ops on one device are ordered without extra syncs.
// Only for CUDA translation units.
#pragma once

#include <memory>
#include <mutex>

#include "framework/cuda/check.h"
#include "framework/memory/caching_allocator.h"

namespace tint::cuda {

class Context {
 public:
  explicit Context(int device);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  int device() const { return device_; }
  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas();
  cudnnHandle_t cudnn();
  CachingAllocator& allocator() { return *allocator_; }
  // Makes this context's device current for the calling thread.
  void activate() const;

 private:
  int device_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  cudnnHandle_t cudnn_ = nullptr;
  std::unique_ptr<CachingAllocator> allocator_;
  std::mutex mutex_;
};

// The context of a device (created on first use; a clear error without a device).
Context& context(int device);
// TINT_CUDA_SYNC=1: synchronise after every op (debugging).
bool sync_each_op();

}  // namespace tint::cuda
