// CUDA fused bias + ReLU with the CPU's per-element rule (math/bias_relu.h). Forward: one
// thread per element. Backward: a (parts, channels) grid in which each block writes its slice
// of grad_x and sums it in double into one partial per block; a second kernel adds each
// channel's partials in a fixed order, so grad_bias is deterministic (no atomics).
#include "framework/ops/cuda/bias_relu.h"
#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/math/bias_relu.h"

namespace tint::cuda {

namespace {

// Blocks per channel in the backward: enough to fill the device when channels are few,
// each block still summing at least kThreads * 4 elements.
constexpr int64_t kMaxPartsPerChannel = 256;

template <typename T>
__global__ void bias_relu_forward_kernel(T* out, const T* x, const T* bias, BiasReluGeometry g) {
  const int64_t total = g.batch * g.channels * g.positions;
  TINT_GRID_STRIDE(i, total) {
    out[i] = math::bias_relu_value(x[i], bias[(i / g.positions) % g.channels]);
  }
}

template <typename T>
__global__ void bias_relu_grad_x_kernel(T* gx, const T* go, const T* y, int64_t total) {
  TINT_GRID_STRIDE(i, total) {
    gx[i] = math::bias_relu_grad(go[i], y[i]);
  }
}

// Block (part, c) covers elements j = part * blockDim + t, stepping by parts * blockDim, of
// channel c's batch * positions values; gx may be null.
template <typename T>
__global__ void bias_relu_backward_kernel(T* gx, double* partials, const T* go, const T* y,
                                          BiasReluGeometry g) {
  __shared__ double partial[kThreads];
  const int64_t c = blockIdx.y, parts = gridDim.x;
  const int64_t count = g.batch * g.positions;
  double acc = 0;
  for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < count;
       j += parts * blockDim.x) {
    const int64_t n = j / g.positions, i = j % g.positions;
    const int64_t idx = (n * g.channels + c) * g.positions + i;
    const T v = math::bias_relu_grad(go[idx], y[idx]);
    if (gx) gx[idx] = v;
    acc += static_cast<double>(v);
  }
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) partials[c * parts + blockIdx.x] = partial[0];
}

template <typename T>
__global__ void bias_relu_finish_kernel(T* db, const double* partials, int64_t channels,
                                        int64_t parts) {
  TINT_GRID_STRIDE(c, channels) {
    double acc = 0;
    for (int64_t p = 0; p < parts; ++p) acc += partials[c * parts + p];
    db[c] = static_cast<T>(acc);
  }
}

}  // namespace

void bias_relu_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                       const BiasReluGeometry& geo) {
  const int64_t total = geo.batch * geo.channels * geo.positions;
  if (total == 0) return;
  TINT_DISPATCH_FLOATING(x.dtype(), "bias_relu", [&] {
    bias_relu_forward_kernel<<<blocks_for(total), kThreads, 0, stream_of(out)>>>(
        out.data_ptr<scalar_t>(), x.data_ptr<const scalar_t>(), bias.data_ptr<const scalar_t>(),
        geo);
  });
  check_launch("bias_relu");
}

void bias_relu_backward(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                        const Tensor& out, const BiasReluGeometry& geo) {
  const int64_t total = geo.batch * geo.channels * geo.positions;
  if (!grad_bias.defined()) {
    if (total == 0 || !grad_x.defined()) return;
    TINT_DISPATCH_FLOATING(grad_out.dtype(), "bias_relu backward", [&] {
      bias_relu_grad_x_kernel<<<blocks_for(total), kThreads, 0, stream_of(grad_out)>>>(
          grad_x.data_ptr<scalar_t>(), grad_out.data_ptr<const scalar_t>(),
          out.data_ptr<const scalar_t>(), total);
    });
    check_launch("bias_relu backward");
    return;
  }
  if (geo.channels == 0) return;
  TINT_CHECK(geo.channels <= 65535,
             "bias_relu backward: the CUDA kernel takes at most 65535 channels, got ",
             geo.channels);
  const int64_t count = geo.batch * geo.positions;  // values per channel
  int64_t parts = (count + kThreads * 4 - 1) / (kThreads * 4);
  parts = parts < 1 ? 1 : (parts > kMaxPartsPerChannel ? kMaxPartsPerChannel : parts);
  const Tensor partials = Tensor::empty({geo.channels, parts}, DType::Float64, grad_out.device());
  TINT_DISPATCH_FLOATING(grad_out.dtype(), "bias_relu backward", [&] {
    const dim3 grid(static_cast<unsigned>(parts), static_cast<unsigned>(geo.channels));
    bias_relu_backward_kernel<<<grid, kThreads, 0, stream_of(grad_out)>>>(
        grad_x.defined() ? grad_x.data_ptr<scalar_t>() : nullptr, partials.data_ptr<double>(),
        grad_out.data_ptr<const scalar_t>(), out.data_ptr<const scalar_t>(), geo);
    check_launch("bias_relu backward");
    bias_relu_finish_kernel<<<blocks_for(geo.channels), kThreads, 0, stream_of(grad_out)>>>(
        grad_bias.data_ptr<scalar_t>(), partials.data_ptr<const double>(), geo.channels, parts);
  });
  check_launch("bias_relu backward (bias sum)");
}

}  // namespace tint::cuda
