// Per-device contexts, created lazily and kept for the process lifetime (destroying CUDA
// handles during static teardown is unsafe once the driver has shut down, so they leak).
#include <cstdlib>
#include <cstring>
#include <vector>

#include "framework/cuda/context.h"
#include "framework/cuda/runtime.h"

namespace tint::cuda {

namespace {
bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && std::strcmp(v, "0") != 0 && std::strcmp(v, "") != 0;
}
}  // namespace

bool sync_each_op() {
  static const bool on = env_flag("TINT_CUDA_SYNC");
  return on;
}

void check_launch(const char* kernel_name) {
  TINT_CUDA_CHECK(cudaGetLastError(), "(launching kernel ", kernel_name, ")");
  if (sync_each_op()) TINT_CUDA_CHECK(cudaDeviceSynchronize(), "(running kernel ", kernel_name, ")");
}

Context::Context(int device) : device_(device) {
  activate();
  TINT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  const int dev = device;
  RawAllocator raw{[dev](size_t n) -> void* {
                     void* p = nullptr;
                     cudaSetDevice(dev);
                     if (cudaMalloc(&p, n) != cudaSuccess) {
                       cudaGetLastError();  // clear the OOM so the retry can succeed
                       return nullptr;
                     }
                     return p;
                   },
                   [dev](void* p) {
                     cudaSetDevice(dev);
                     cudaFree(p);
                   },
                   "cuda:" + std::to_string(device)};
  allocator_ = std::make_unique<CachingAllocator>(raw, !env_flag("TINT_CUDA_NO_CACHE"));
}

Context::~Context() = default;

void Context::activate() const { TINT_CUDA_CHECK(cudaSetDevice(device_)); }

cublasHandle_t Context::cublas() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!cublas_) {
    activate();
    TINT_CUBLAS_CHECK(cublasCreate(&cublas_));
    TINT_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
  }
  return cublas_;
}

cudnnHandle_t Context::cudnn() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!cudnn_) {
    activate();
    TINT_CUDNN_CHECK(cudnnCreate(&cudnn_));
    TINT_CUDNN_CHECK(cudnnSetStream(cudnn_, stream_));
  }
  return cudnn_;
}

Context& context(int device) {
  static std::mutex mutex;
  static std::vector<Context*> contexts;  // intentionally never destroyed
  std::lock_guard<std::mutex> lock(mutex);
  const int count = device_count();
  TINT_CHECK(device >= 0 && device < count, "cuda:", device, " is not available: ", count,
             " CUDA device(s) visible to this process");
  if (contexts.size() < static_cast<size_t>(count)) contexts.resize(count, nullptr);
  if (!contexts[device]) contexts[device] = new Context(device);
  contexts[device]->activate();
  return *contexts[device];
}

}  // namespace tint::cuda
