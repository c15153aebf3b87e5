// CUDA reductions over (outer, n, inner). Long reductions (n >= 1024) give each output a
// block that reduces with a shared-memory tree; short ones give each output a thread.
// Sums accumulate in double, as the CPU loop does.
#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/cuda/reduce.h"

namespace tint::cuda {

namespace {

template <typename T>
__global__ void sum_thread_kernel(T* out, const T* x, int64_t outer, int64_t n, int64_t inner) {
  TINT_GRID_STRIDE(j, outer * inner) {
    const int64_t o = j / inner, i = j % inner;
    const T* p = x + o * n * inner + i;
    double acc = 0;
    for (int64_t k = 0; k < n; ++k) acc += static_cast<double>(p[k * inner]);
    out[j] = static_cast<T>(acc);
  }
}

template <typename T>
__global__ void sum_block_kernel(T* out, const T* x, int64_t n, int64_t inner) {
  __shared__ double partial[kThreads];
  const int64_t j = blockIdx.x, o = j / inner, i = j % inner;
  const T* p = x + o * n * inner + i;
  double acc = 0;
  for (int64_t k = threadIdx.x; k < n; k += blockDim.x) acc += static_cast<double>(p[k * inner]);
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[j] = static_cast<T>(partial[0]);
}

template <typename T>
__device__ bool better(T candidate, int64_t k, T best, int64_t best_k) {
  // NaN wins (as in PyTorch); among equals the first index wins.
  if (candidate != candidate) return best == best || k < best_k;
  if (best != best) return false;
  return candidate > best || (candidate == best && k < best_k);
}

template <typename T>
__global__ void max_kernel(T* values, int64_t* indices, const T* x, int64_t outer, int64_t n,
                           int64_t inner) {
  TINT_GRID_STRIDE(j, outer * inner) {
    const int64_t o = j / inner, i = j % inner;
    const T* p = x + o * n * inner + i;
    int64_t best = 0;
    for (int64_t k = 1; k < n; ++k)
      if (better(p[k * inner], k, p[best * inner], best)) best = k;
    if (values) values[j] = p[best * inner];
    if (indices) indices[j] = best;
  }
}

template <typename T>
__global__ void scatter_kernel(T* grad_in, const T* grad, const int64_t* indices, int64_t outer,
                               int64_t n, int64_t inner) {
  TINT_GRID_STRIDE(j, outer * n * inner) {
    const int64_t o = j / (n * inner), k = (j / inner) % n, i = j % inner;
    const int64_t r = o * inner + i;
    grad_in[j] = indices[r] == k ? grad[r] : T(0);
  }
}

template <typename T>
void sum_typed(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner) {
  const int64_t outputs = outer * inner;
  if (outputs == 0) return;
  if (n >= 1024 && outputs < 65536) {
    sum_block_kernel<<<static_cast<unsigned>(outputs), kThreads, 0, stream_of(out)>>>(
        out.data_ptr<T>(), x.data_ptr<const T>(), n, inner);
  } else {
    sum_thread_kernel<<<blocks_for(outputs), kThreads, 0, stream_of(out)>>>(
        out.data_ptr<T>(), x.data_ptr<const T>(), outer, n, inner);
  }
  check_launch("sum_dim");
}

}  // namespace

void sum_dim(const Tensor& out, const Tensor& x, int64_t outer, int64_t n, int64_t inner) {
  TINT_DISPATCH_ALL(x.dtype(), "sum", [&] { sum_typed<scalar_t>(out, x, outer, n, inner); });
}

void max_dim(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
             int64_t n, int64_t inner) {
  const int64_t outputs = outer * inner;
  if (outputs == 0) return;
  TINT_DISPATCH_ALL(x.dtype(), "max", [&] {
    max_kernel<<<blocks_for(outputs), kThreads, 0, stream_of(x)>>>(
        values.defined() ? values.data_ptr<scalar_t>() : nullptr,
        indices.defined() ? indices.data_ptr<int64_t>() : nullptr,
        x.data_ptr<const scalar_t>(), outer, n, inner);
  });
  check_launch("max_dim");
}

void scatter_dim(const Tensor& grad_in, const Tensor& grad, const Tensor& indices, int64_t outer,
                 int64_t n, int64_t inner) {
  const int64_t total = outer * n * inner;
  if (total == 0) return;
  TINT_DISPATCH_FLOATING(grad.dtype(), "max backward", [&] {
    scatter_kernel<<<blocks_for(total), kThreads, 0, stream_of(grad)>>>(
        grad_in.data_ptr<scalar_t>(), grad.data_ptr<const scalar_t>(),
        indices.data_ptr<const int64_t>(), outer, n, inner);
  });
  check_launch("scatter_dim");
}

}  // namespace tint::cuda
