// CUDA losses: one thread per position (n * inner) walks the class dim inner apart, so
// adjacent threads read adjacent memory. Totals are reduced per block in shared memory and
// added into one device double (and count), then copied to the host. Backward kernels take
// one thread per logit. The per-element math is math/softmax.h and math/loss.h, as on the CPU.
#include <cstring>

#include "framework/ops/cuda/launch.cuh"
#include "framework/ops/cuda/loss.h"
#include "framework/ops/math/loss.h"
#include "framework/ops/math/softmax.h"

namespace tint::cuda {

namespace {

// Adds v (and c) of every thread of the block into *total (and *count).
__device__ void block_add(double v, long long c, double* total, unsigned long long* count) {
  __shared__ double sv[kThreads];
  __shared__ long long sc[kThreads];
  sv[threadIdx.x] = v;
  sc[threadIdx.x] = c;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      sv[threadIdx.x] += sv[threadIdx.x + s];
      sc[threadIdx.x] += sc[threadIdx.x + s];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    atomicAdd(total, sv[0]);
    if (count) atomicAdd(count, static_cast<unsigned long long>(sc[0]));
  }
}

// log_softmax of the row at base into log_probs (double math); returns nothing.
template <typename T>
__device__ void row_log_softmax(T* log_probs, const T* x, int64_t base, int64_t classes,
                                int64_t inner) {
  double m = -INFINITY;
  for (int64_t c = 0; c < classes; ++c) m = fmax(m, static_cast<double>(x[base + c * inner]));
  double s = 0;
  for (int64_t c = 0; c < classes; ++c)
    s += math::softmax_exp<double>(static_cast<double>(x[base + c * inner]), m);
  const double log_s = ::log(s);
  for (int64_t c = 0; c < classes; ++c)
    log_probs[base + c * inner] = static_cast<T>(
        math::log_softmax_output<double>(static_cast<double>(x[base + c * inner]), m, log_s));
}

// Grid of whole blocks covering `total` threads exactly once (block_add needs every thread).
unsigned exact_blocks(int64_t total) {
  return static_cast<unsigned>((total + kThreads - 1) / kThreads);
}

template <typename T>
__global__ void ce_forward_kernel(T* losses, T* log_probs, const T* x, const int64_t* target,
                                  int64_t positions, int64_t classes, int64_t inner,
                                  int64_t ignore_index, double* total,
                                  unsigned long long* count) {
  const int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  double v = 0;
  long long c = 0;
  if (p < positions) {
    const int64_t base = (p / inner) * classes * inner + p % inner;
    row_log_softmax(log_probs, x, base, classes, inner);
    const int64_t t = target[p];
    if (t != ignore_index) {
      v = -static_cast<double>(log_probs[base + t * inner]);
      c = 1;
    }
    losses[p] = static_cast<T>(v);
  }
  block_add(v, c, total, count);
}

template <typename T>
__global__ void ce_backward_kernel(T* grad, const T* log_probs, const int64_t* target,
                                   const T* grad_out, bool per_position, double scale,
                                   int64_t classes, int64_t inner, int64_t ignore_index,
                                   int64_t total) {
  TINT_GRID_STRIDE(i, total) {
    const int64_t pos_inner = i % inner, c = (i / inner) % classes, nn = i / (inner * classes);
    const int64_t p = nn * inner + pos_inner;
    const int64_t t = target[p];
    if (t == ignore_index) {
      grad[i] = T(0);
    } else {
      const double g = static_cast<double>(grad_out[per_position ? p : 0]) * scale;
      grad[i] = static_cast<T>(
          math::cross_entropy_grad<double>(static_cast<double>(log_probs[i]), c == t, g));
    }
  }
}

template <typename T>
__global__ void soft_forward_kernel(T* losses, T* log_probs, const T* x, const T* target,
                                    int64_t positions, int64_t classes, int64_t inner,
                                    double* total) {
  const int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  double v = 0;
  if (p < positions) {
    const int64_t base = (p / inner) * classes * inner + p % inner;
    row_log_softmax(log_probs, x, base, classes, inner);
    for (int64_t c = 0; c < classes; ++c)
      v -= static_cast<double>(target[base + c * inner]) * log_probs[base + c * inner];
    losses[p] = static_cast<T>(v);
  }
  block_add(v, 0, total, nullptr);
}

template <typename T>
__global__ void soft_backward_kernel(T* grad_logits, T* grad_target, const T* log_probs,
                                     const T* target, const T* grad_out, bool per_position,
                                     double scale, int64_t positions, int64_t classes,
                                     int64_t inner) {
  TINT_GRID_STRIDE(p, positions) {
    const int64_t base = (p / inner) * classes * inner + p % inner;
    const double g = static_cast<double>(grad_out[per_position ? p : 0]) * scale;
    double row_sum_target = 0;
    for (int64_t c = 0; c < classes; ++c) row_sum_target += target[base + c * inner];
    for (int64_t c = 0; c < classes; ++c) {
      const int64_t i = base + c * inner;
      const double lp = log_probs[i];
      if (grad_logits)
        grad_logits[i] = static_cast<T>(math::soft_cross_entropy_grad<double>(
            lp, static_cast<double>(target[i]), row_sum_target, g));
      if (grad_target)
        grad_target[i] = static_cast<T>(math::soft_cross_entropy_target_grad<double>(lp, g));
    }
  }
}

template <typename T>
__global__ void mse_forward_kernel(T* errors, const T* x, const T* t, int64_t n, double* total) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  double v = 0;
  if (i < n) {
    v = math::squared_error<double>(static_cast<double>(x[i]), static_cast<double>(t[i]));
    if (errors) errors[i] = static_cast<T>(math::squared_error<T>(x[i], t[i]));
  }
  block_add(v, 0, total, nullptr);
}

template <typename T>
__global__ void mse_backward_kernel(T* gx, T* gt, const T* x, const T* t, const T* grad_out,
                                    bool per_position, double scale, int64_t n) {
  TINT_GRID_STRIDE(i, n) {
    const double g = static_cast<double>(grad_out[per_position ? i : 0]) * scale;
    const double d = math::squared_error_grad<double>(static_cast<double>(x[i]),
                                                      static_cast<double>(t[i]), g);
    if (gx) gx[i] = static_cast<T>(d);
    if (gt) gt[i] = static_cast<T>(-d);
  }
}

// A zeroed device double and counter, read back after the kernel.
struct DeviceTotals {
  Tensor buffer;  // [total (double bits), count]
  explicit DeviceTotals(Device device)
      : buffer(Tensor::empty({2}, DType::Int64, device)) {
    TINT_CUDA_CHECK(cudaMemsetAsync(buffer.raw_data(), 0, buffer.nbytes(), stream_of(buffer)));
  }
  double* total() const { return reinterpret_cast<double*>(buffer.raw_data()); }
  unsigned long long* count() const {
    return reinterpret_cast<unsigned long long*>(buffer.raw_data()) + 1;
  }
  CrossEntropySums read() const {
    const std::vector<int64_t> host = buffer.to_vector<int64_t>();  // waits for the stream
    CrossEntropySums sums;
    std::memcpy(&sums.total, &host[0], sizeof(double));
    sums.count = host[1];
    return sums;
  }
};

template <typename T>
const T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<const T>() : nullptr;
}
template <typename T>
T* mut_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

}  // namespace

bool find_invalid_class(const Tensor& target, int64_t classes, int64_t ignore_index,
                        int64_t* bad) {
  // A validity check reads every target once: done on the host copy, which the forward's
  // host-side sum waits for anyway.
  return cpu::find_invalid_class(target.cpu(), classes, ignore_index, bad);
}

CrossEntropySums cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                       const Tensor& logits, const Tensor& target, int64_t n,
                                       int64_t classes, int64_t inner, int64_t ignore_index) {
  const int64_t positions = n * inner;
  const DeviceTotals totals(logits.device());
  if (positions > 0) {
    TINT_DISPATCH_FLOATING(logits.dtype(), "cross_entropy", [&] {
      ce_forward_kernel<<<exact_blocks(positions), kThreads, 0, stream_of(logits)>>>(
          losses.data_ptr<scalar_t>(), log_probs.data_ptr<scalar_t>(),
          logits.data_ptr<const scalar_t>(), target.data_ptr<const int64_t>(), positions,
          classes, inner, ignore_index, totals.total(), totals.count());
    });
    check_launch("cross_entropy_forward");
  }
  return totals.read();
}

void cross_entropy_backward(const Tensor& grad_logits, const Tensor& log_probs,
                            const Tensor& target, const Tensor& grad_out, bool per_position,
                            double scale, int64_t n, int64_t classes, int64_t inner,
                            int64_t ignore_index) {
  const int64_t total = n * classes * inner;
  if (total == 0) return;
  TINT_DISPATCH_FLOATING(log_probs.dtype(), "cross_entropy backward", [&] {
    ce_backward_kernel<<<blocks_for(total), kThreads, 0, stream_of(log_probs)>>>(
        grad_logits.data_ptr<scalar_t>(), log_probs.data_ptr<const scalar_t>(),
        target.data_ptr<const int64_t>(), grad_out.data_ptr<const scalar_t>(), per_position,
        scale, classes, inner, ignore_index, total);
  });
  check_launch("cross_entropy_backward");
}

double soft_cross_entropy_forward(const Tensor& losses, const Tensor& log_probs,
                                  const Tensor& logits, const Tensor& target, int64_t n,
                                  int64_t classes, int64_t inner) {
  const int64_t positions = n * inner;
  const DeviceTotals totals(logits.device());
  if (positions > 0) {
    TINT_DISPATCH_FLOATING(logits.dtype(), "cross_entropy_soft", [&] {
      soft_forward_kernel<<<exact_blocks(positions), kThreads, 0, stream_of(logits)>>>(
          losses.data_ptr<scalar_t>(), log_probs.data_ptr<scalar_t>(),
          logits.data_ptr<const scalar_t>(), target.data_ptr<const scalar_t>(), positions,
          classes, inner, totals.total());
    });
    check_launch("soft_cross_entropy_forward");
  }
  return totals.read().total;
}

void soft_cross_entropy_backward(const Tensor& grad_logits, const Tensor& grad_target,
                                 const Tensor& log_probs, const Tensor& target,
                                 const Tensor& grad_out, bool per_position, double scale,
                                 int64_t n, int64_t classes, int64_t inner) {
  const int64_t positions = n * inner;
  if (positions == 0) return;
  TINT_DISPATCH_FLOATING(log_probs.dtype(), "cross_entropy_soft backward", [&] {
    soft_backward_kernel<<<blocks_for(positions), kThreads, 0, stream_of(log_probs)>>>(
        mut_or_null<scalar_t>(grad_logits), mut_or_null<scalar_t>(grad_target),
        log_probs.data_ptr<const scalar_t>(), target.data_ptr<const scalar_t>(),
        grad_out.data_ptr<const scalar_t>(), per_position, scale, positions, classes, inner);
  });
  check_launch("soft_cross_entropy_backward");
}

double mse_forward(const Tensor& errors, const Tensor& input, const Tensor& target) {
  const int64_t n = input.numel();
  const DeviceTotals totals(input.device());
  if (n > 0) {
    TINT_DISPATCH_FLOATING(input.dtype(), "mse_loss", [&] {
      mse_forward_kernel<<<exact_blocks(n), kThreads, 0, stream_of(input)>>>(
          mut_or_null<scalar_t>(errors), input.data_ptr<const scalar_t>(),
          target.data_ptr<const scalar_t>(), n, totals.total());
    });
    check_launch("mse_forward");
  }
  return totals.read().total;
}

void mse_backward(const Tensor& grad_input, const Tensor& grad_target, const Tensor& input,
                  const Tensor& target, const Tensor& grad_out, bool per_position, double scale) {
  const int64_t n = input.numel();
  if (n == 0) return;
  TINT_DISPATCH_FLOATING(input.dtype(), "mse_loss backward", [&] {
    mse_backward_kernel<<<blocks_for(n), kThreads, 0, stream_of(input)>>>(
        mut_or_null<scalar_t>(grad_input), mut_or_null<scalar_t>(grad_target),
        input.data_ptr<const scalar_t>(), target.data_ptr<const scalar_t>(),
        grad_out.data_ptr<const scalar_t>(), per_position, scale, n);
  });
  check_launch("mse_backward");
}

}  // namespace tint::cuda
