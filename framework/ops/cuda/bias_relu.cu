// CUDA fused bias + ReLU with the CPU's per-element rule (math/bias_relu.h), for float32,
// float64 and bfloat16 (computed in float, ops/mixed_precision.h; the bias bfloat16 or
// float32, its gradient in the bias's dtype), and the same loops without
// the ReLU for the bias of a bfloat16 convolution; NCHW or NHWC (geometry.channels_last).
// Forward: one thread per element. Backward: a (parts, channels) grid (NHWC: parts x tiles of
// 32 channels) in which each block writes its slice of grad_x and sums it in double into one
// partial per block and channel; a second kernel adds each channel's partials in a fixed
// order, so grad_bias is deterministic (no atomics). Where the layout and pointers allow
// (settings().vectorized_bias_relu, on by default), the same arithmetic runs on 16-byte packs
// per thread (math/bias_relu.h), with a warp per channel adding the partials.
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include "framework/cuda/settings.h"
#include "framework/ops/cuda/bias_relu.h"
#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/math/bias_relu.h"

namespace tint::cuda {

namespace {

// Blocks per channel in the backward: enough to fill the device when channels are few,
// each block still summing at least kThreads * 4 elements.
constexpr int64_t kMaxPartsPerChannel = 256;

// Relu = false is the plain per-channel bias of a bfloat16 convolution (conv.cu): the same
// loops without the mask. Elements are loaded into acc_t<T> (float for bfloat16) and each
// output is rounded once.
template <typename T, typename B, bool Relu>
__global__ void bias_forward_kernel(T* out, const T* x, const B* bias, BiasReluGeometry g) {
  using A = acc_t<T>;
  const int64_t total = g.batch * g.channels * g.positions;
  TINT_GRID_STRIDE(i, total) {
    const int64_t c = math::bias_channel(i, g.channels, g.positions, g.channels_last);
    out[i] = static_cast<T>(math::bias_output<Relu>(static_cast<A>(x[i]), static_cast<A>(bias[c])));
  }
}

template <typename T>
__global__ void bias_relu_grad_x_kernel(T* gx, const T* go, const T* y, int64_t total) {
  using A = acc_t<T>;
  TINT_GRID_STRIDE(i, total) {
    gx[i] = static_cast<T>(math::bias_input_grad<A, true>(go, y, i));
  }
}

// The block's sum of each thread's acc (a tree in shared memory: a fixed order), written to
// *slot by thread 0. Every thread of the (1-D, kThreads) block calls it.
__device__ void store_block_sum(double acc, double* slot) {
  __shared__ double partial[kThreads];
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) *slot = partial[0];
}

// Blocks per channel of a backward: work / per_part, at least 1 and at most max_parts.
int64_t clamped_parts(int64_t work, int64_t per_part, int64_t max_parts) {
  const int64_t parts = (work + per_part - 1) / per_part;
  return parts < 1 ? 1 : (parts > max_parts ? max_parts : parts);
}

// Block (part, c) covers elements j = part * blockDim + t, stepping by parts * blockDim, of
// channel c's batch * positions values; gx may be null (and y too, without Relu).
template <typename T, bool Relu>
__global__ void bias_backward_kernel(T* gx, double* partials, const T* go, const T* y,
                                     BiasReluGeometry g) {
  using A = acc_t<T>;
  const int64_t c = blockIdx.y, parts = gridDim.x;
  const int64_t count = g.batch * g.positions;
  double acc = 0;
  for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < count;
       j += parts * blockDim.x) {
    const int64_t n = j / g.positions, i = j % g.positions;
    const int64_t idx = (n * g.channels + c) * g.positions + i;
    const A v = math::bias_input_grad<A, Relu>(go, y, idx);
    if (gx) gx[idx] = static_cast<T>(v);
    acc += static_cast<double>(v);
  }
  store_block_sum(acc, &partials[c * parts + blockIdx.x]);
}

// The NHWC twin: rows of `channels` contiguous values (batch * positions rows). Block
// (part, tile) has kTileRows x kTileChannels threads: a warp reads 32 neighbouring channels of
// one row (coalesced), the block's rows step by parts * kTileRows; the block's per-channel
// sums go to partials[c * parts + part].
constexpr int kTileChannels = 32, kTileRows = kThreads / kTileChannels;

template <typename T, bool Relu>
__global__ void bias_backward_nhwc_kernel(T* gx, double* partials, const T* go, const T* y,
                                          BiasReluGeometry g) {
  using A = acc_t<T>;
  __shared__ double partial[kTileRows][kTileChannels];
  const int64_t c = blockIdx.y * static_cast<int64_t>(kTileChannels) + threadIdx.x;
  const int64_t parts = gridDim.x;
  const double acc =
      c < g.channels
          ? math::nhwc_bias_grad_rows<A, Relu>(gx, go, y, g.batch * g.positions, g.channels, c,
                                               blockIdx.x * static_cast<int64_t>(kTileRows) +
                                                   threadIdx.y,
                                               parts * kTileRows)
          : 0.0;
  partial[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && c < g.channels) {
    double sum = 0;
    for (int k = 0; k < kTileRows; ++k) sum += partial[k][threadIdx.x];
    partials[c * parts + blockIdx.x] = sum;
  }
}

template <typename B>
__global__ void bias_finish_kernel(B* db, const double* partials, int64_t channels,
                                   int64_t parts) {
  TINT_GRID_STRIDE(c, channels) {
    double acc = 0;
    for (int64_t p = 0; p < parts; ++p) acc += partials[c * parts + p];
    db[c] = static_cast<B>(acc);
  }
}

// fn.template operator()<B>() with B = the bias's element type: float for a float32 bias
// with bfloat16 data (bias_relu under autocast), else scalar_t.
template <typename T, typename Fn>
void with_bias_type(const Tensor& bias, Fn&& fn) {
  if constexpr (std::is_same_v<T, bfloat16>) {
    if (bias.dtype() == DType::Float32) return fn.template operator()<float>();
  }
  fn.template operator()<T>();
}

// ---- the 16-byte-pack kernels (math/bias_relu.h, "16-byte packs"), where the layout and
// the pointers allow them and settings().vectorized_bias_relu is on ----

template <typename T, typename B, bool Relu>
__global__ void bias_forward_pack_kernel(T* out, const T* x, const B* bias, BiasReluGeometry g,
                                         int64_t packs) {
  TINT_GRID_STRIDE(p, packs) {
    math::bias_forward_pack<acc_t<T>, Relu>(out, x, bias, p, g.channels, g.positions,
                                            g.channels_last);
  }
}

// NHWC: a 1-D block of kThreads threads is tile_packs (a power of two, <= 32) neighbouring
// packs of a row by kThreads / tile_packs rows, so a warp reads whole consecutive rows of a
// narrow tensor; blockIdx.y picks the tile of packs, blockIdx.x the part of the rows. Each
// channel's block sum (its rows added in a fixed order) goes to partials[c * parts + part].
template <typename T, bool Relu>
__global__ void bias_backward_nhwc_pack_kernel(T* gx, double* partials, const T* go, const T* y,
                                               BiasReluGeometry g, int tile_packs) {
  using A = acc_t<T>;
  constexpr int V = math::Pack16<T>::kSize;
  __shared__ double sums[kThreads * V];
  const int lane = threadIdx.x % tile_packs, row = threadIdx.x / tile_packs;
  const int block_rows = kThreads / tile_packs;
  const int64_t packs_per_row = g.channels / V, parts = gridDim.x;
  const int64_t pack = blockIdx.y * static_cast<int64_t>(tile_packs) + lane;
  double acc[V] = {};
  if (pack < packs_per_row)
    math::nhwc_bias_grad_pack_rows<A, Relu>(gx, go, y, g.batch * g.positions, packs_per_row,
                                            pack, blockIdx.x * static_cast<int64_t>(block_rows) + row,
                                            parts * block_rows, acc);
  for (int k = 0; k < V; ++k) sums[threadIdx.x * V + k] = acc[k];
  __syncthreads();
  if (row == 0 && pack < packs_per_row) {
    for (int k = 0; k < V; ++k) {
      double sum = 0;
      for (int r = 0; r < block_rows; ++r) sum += sums[(r * tile_packs + lane) * V + k];
      partials[(pack * V + k) * parts + blockIdx.x] = sum;
    }
  }
}

// NCHW: block (part, c) sums channel c's packs part, part + parts, ... (kThreads at a time).
template <typename T, bool Relu>
__global__ void bias_backward_nchw_pack_kernel(T* gx, double* partials, const T* go, const T* y,
                                               BiasReluGeometry g) {
  using A = acc_t<T>;
  constexpr int V = math::Pack16<T>::kSize;
  const int64_t c = blockIdx.y, parts = gridDim.x;
  store_block_sum(math::nchw_bias_grad_packs<A, Relu>(
                      gx, go, y, g.batch, g.channels, g.positions / V, c,
                      blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x,
                      parts * blockDim.x),
                  &partials[c * parts + blockIdx.x]);
}

// One warp per channel adds its partials (lanes stride the parts, then a shuffle tree: a fixed
// order, so deterministic), instead of one thread walking up to 1024 of them.
template <typename B>
__global__ void bias_finish_warp_kernel(B* db, const double* partials, int64_t channels,
                                        int64_t parts) {
  const int64_t c = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (c >= channels) return;  // the whole warp: blockDim is a multiple of 32
  double sum = 0;
  for (int64_t p = lane; p < parts; p += 32) sum += partials[c * parts + p];
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_down_sync(0xffffffffu, sum, offset);
  if (lane == 0) db[c] = static_cast<B>(sum);
}

// Parts of a pack backward: at least kMinPackRowsPerThread packs per thread, at most
// kMaxPackParts (the partials stay small and the warp finish quick).
constexpr int64_t kMaxPackParts = 1024, kMinPackRowsPerThread = 4;

int64_t pack_parts(int64_t work, int64_t threads_per_part) {
  return clamped_parts(work, threads_per_part * kMinPackRowsPerThread, kMaxPackParts);
}

bool aligned16(const Tensor& t) {
  return !t.defined() || reinterpret_cast<uintptr_t>(t.raw_data()) % 16 == 0;
}

// Whether the pack kernels can take these tensors: the switch on, packs inside a channel
// plane (NCHW) or a row (NHWC), every pointer 16-byte aligned.
bool packs_fit(const BiasReluGeometry& g, DType dtype, std::initializer_list<Tensor> tensors) {
  if (!settings().vectorized_bias_relu) return false;
  const int64_t v = 16 / static_cast<int64_t>(dtype_size(dtype));
  if ((g.channels_last ? g.channels : g.positions) % v != 0) return false;
  for (const Tensor& t : tensors)
    if (!aligned16(t)) return false;
  return true;
}

// The pack kernels' backward: grad_bias (defined) and optionally grad_x.
template <bool Relu>
void bias_backward_packs(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                         const Tensor& out, const BiasReluGeometry& geo, const char* op) {
  const cudaStream_t stream = stream_of(grad_out);
  TINT_DISPATCH_FLOATING_BF16(grad_out.dtype(), op, [&] {
    constexpr int V = math::Pack16<scalar_t>::kSize;
    scalar_t* gx = grad_x.defined() ? grad_x.data_ptr<scalar_t>() : nullptr;
    const scalar_t* y = Relu ? out.data_ptr<const scalar_t>() : nullptr;
    const scalar_t* go = grad_out.data_ptr<const scalar_t>();
    int64_t parts = 1;
    Tensor partials;
    if (geo.channels_last) {
      const int64_t packs_per_row = geo.channels / V;
      int tile = 1;
      while (tile < 32 && tile < packs_per_row) tile *= 2;
      parts = pack_parts(geo.batch * geo.positions, kThreads / tile);
      partials = Tensor::empty({geo.channels, parts}, DType::Float64, grad_out.device());
      const dim3 grid(static_cast<unsigned>(parts),
                      static_cast<unsigned>((packs_per_row + tile - 1) / tile));
      bias_backward_nhwc_pack_kernel<scalar_t, Relu><<<grid, kThreads, 0, stream>>>(
          gx, partials.data_ptr<double>(), go, y, geo, tile);
    } else {
      parts = pack_parts(geo.batch * geo.positions / V, kThreads);
      partials = Tensor::empty({geo.channels, parts}, DType::Float64, grad_out.device());
      const dim3 grid(static_cast<unsigned>(parts), static_cast<unsigned>(geo.channels));
      bias_backward_nchw_pack_kernel<scalar_t, Relu><<<grid, kThreads, 0, stream>>>(
          gx, partials.data_ptr<double>(), go, y, geo);
    }
    check_launch(op);
    with_bias_type<scalar_t>(grad_bias, [&]<typename B>() {
      bias_finish_warp_kernel<<<blocks_for(geo.channels * 32), kThreads, 0, stream>>>(
          grad_bias.data_ptr<B>(), partials.data_ptr<const double>(), geo.channels, parts);
    });
  });
  check_launch(op);
}

template <bool Relu>
void bias_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                  const BiasReluGeometry& geo, const char* op) {
  const int64_t total = geo.batch * geo.channels * geo.positions;
  if (total == 0) return;
  const bool packs = packs_fit(geo, x.dtype(), {out, x});
  TINT_DISPATCH_FLOATING_BF16(x.dtype(), op, [&] {
    with_bias_type<scalar_t>(bias, [&]<typename B>() {
      if (packs) {
        const int64_t n = total / math::Pack16<scalar_t>::kSize;
        bias_forward_pack_kernel<scalar_t, B, Relu>
            <<<blocks_for(n), kThreads, 0, stream_of(out)>>>(
                out.data_ptr<scalar_t>(), x.data_ptr<const scalar_t>(),
                bias.data_ptr<const B>(), geo, n);
        return;
      }
      bias_forward_kernel<scalar_t, B, Relu><<<blocks_for(total), kThreads, 0, stream_of(out)>>>(
          out.data_ptr<scalar_t>(), x.data_ptr<const scalar_t>(), bias.data_ptr<const B>(), geo);
    });
  });
  check_launch(op);
}

// grad_bias (defined; float32 for bfloat16 data with a float32 bias) and optionally grad_x;
// out (the ReLU output) is read only with Relu.
template <bool Relu>
void bias_backward(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                   const Tensor& out, const BiasReluGeometry& geo, const char* op) {
  if (geo.channels == 0) return;
  TINT_CHECK(geo.channels_last || geo.channels <= 65535, op,
             ": the CUDA kernel takes at most 65535 channels, got ", geo.channels);
  if (packs_fit(geo, grad_out.dtype(), {grad_x, grad_out, out}))
    return bias_backward_packs<Relu>(grad_x, grad_bias, grad_out, out, geo, op);
  // NHWC: each thread covers rows of one channel, kTileRows threads per channel and block.
  const int64_t parts = clamped_parts(geo.batch * geo.positions,  // values per channel
                                      geo.channels_last ? kTileRows * 4 : kThreads * 4,
                                      kMaxPartsPerChannel);
  const Tensor partials = Tensor::empty({geo.channels, parts}, DType::Float64, grad_out.device());
  TINT_DISPATCH_FLOATING_BF16(grad_out.dtype(), op, [&] {
    scalar_t* gx = grad_x.defined() ? grad_x.data_ptr<scalar_t>() : nullptr;
    const scalar_t* y = Relu ? out.data_ptr<const scalar_t>() : nullptr;
    if (geo.channels_last) {
      const dim3 grid(static_cast<unsigned>(parts),
                      static_cast<unsigned>((geo.channels + kTileChannels - 1) / kTileChannels));
      bias_backward_nhwc_kernel<scalar_t, Relu>
          <<<grid, dim3(kTileChannels, kTileRows), 0, stream_of(grad_out)>>>(
              gx, partials.data_ptr<double>(), grad_out.data_ptr<const scalar_t>(), y, geo);
    } else {
      const dim3 grid(static_cast<unsigned>(parts), static_cast<unsigned>(geo.channels));
      bias_backward_kernel<scalar_t, Relu><<<grid, kThreads, 0, stream_of(grad_out)>>>(
          gx, partials.data_ptr<double>(), grad_out.data_ptr<const scalar_t>(), y, geo);
    }
    check_launch(op);
    with_bias_type<scalar_t>(grad_bias, [&]<typename B>() {
      bias_finish_kernel<<<blocks_for(geo.channels), kThreads, 0, stream_of(grad_out)>>>(
          grad_bias.data_ptr<B>(), partials.data_ptr<const double>(), geo.channels, parts);
    });
  });
  check_launch(op);
}

}  // namespace

void bias_relu_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                       const BiasReluGeometry& geo) {
  bias_forward<true>(out, x, bias, geo, "bias_relu");
}

void bias_relu_backward(const Tensor& grad_x, const Tensor& grad_bias, const Tensor& grad_out,
                        const Tensor& out, const BiasReluGeometry& geo) {
  if (grad_bias.defined()) {
    bias_backward<true>(grad_x, grad_bias, grad_out, out, geo, "bias_relu backward");
    return;
  }
  const int64_t total = geo.batch * geo.channels * geo.positions;
  if (total == 0 || !grad_x.defined()) return;
  TINT_DISPATCH_FLOATING_BF16(grad_out.dtype(), "bias_relu backward", [&] {
    bias_relu_grad_x_kernel<<<blocks_for(total), kThreads, 0, stream_of(grad_out)>>>(
        grad_x.data_ptr<scalar_t>(), grad_out.data_ptr<const scalar_t>(),
        out.data_ptr<const scalar_t>(), total);
  });
  check_launch("bias_relu backward");
}

void bias_add_forward(const Tensor& out, const Tensor& x, const Tensor& bias,
                      const BiasReluGeometry& geo) {
  bias_forward<false>(out, x, bias, geo, "conv bias");
}

void bias_add_grad(const Tensor& grad_bias, const Tensor& grad_out, const BiasReluGeometry& geo) {
  bias_backward<false>(Tensor(), grad_bias, grad_out, Tensor(), geo, "conv bias gradient");
}

}  // namespace tint::cuda
