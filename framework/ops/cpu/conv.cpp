// Host convolution through im2col + BLAS GEMM. Three batched primitives cover both ops:
//   lower:       cols_n  = A . im2col(image_n)            conv2d forward, conv_transpose2d dX
//   lift:        image_n = col2im(A^T . cols_n)           conv2d dX, conv_transpose2d forward
//   weight_grad: dA      = sum_n cols_n . im2col(image_n)^T   both ops' dW
// where A is the weight viewed as (M, g.col_rows()) and "cols" is the other side's tensor
// viewed as (N, M, g.col_cols()). Each sample is its own GEMM against one sample's columns,
// so scratch stays at one columns matrix per thread however large the batch.
//
// Parallel strategy (measured on a 2-core machine, see docs/performance.md): OpenMP is the
// only thread pool; every GEMM runs single-threaded on its calling thread (OpenBLAS's own
// pthread pool is set to 1 for the op). With at least as many samples as threads, threads
// take whole samples. With fewer, samples run in order and each step splits its work:
// im2col by rows, col2im by channels, each GEMM by blocks of output columns. Mixing the two
// pools, or nesting parallel regions, puts more spinning threads than cores on the machine
// and turned microsecond convolutions into milliseconds. Weight gradients are summed per
// thread and reduced in thread order, so for a fixed thread count results do not depend on
// scheduling.
#include "framework/ops/cpu/conv.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace tint::cpu {

namespace {

void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, const float* a,
          int64_t lda, const float* b, int64_t ldb, double beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
              1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), static_cast<float>(beta), c,
              static_cast<int>(ldc));
}
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
              1.0, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
              static_cast<int>(ldc));
}

// C (m x n) = op(A) op(B) + beta C on one BLAS thread, or, when parallel, with C's columns
// split across an OpenMP team, each thread one single-threaded GEMM on its own block.
// Blocks are multiples of 16 columns so threads rarely share a cache line of C.
template <typename T>
void gemm_cols(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, const T* a,
               int64_t lda, const T* b, int64_t ldb, double beta, T* c, bool parallel) {
  if (!parallel || n < 32) {
    gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t team = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t block = (n + team - 1) / team, aligned = (block + 15) / 16 * 16;
    const int64_t j0 = std::min(n, t * aligned), j1 = std::min(n, j0 + aligned);
    // Column j of op(B) starts at b + j (B as given) or at row j (B transposed).
    if (j0 < j1)
      gemm(ta, tb, m, j1 - j0, k, a, lda, tb == CblasNoTrans ? b + j0 : b + j0 * ldb, ldb, beta,
           c + j0, n);
  }
}

// How one op call spreads its work; see the file comment.
struct Plan {
  int threads = 1;             // OpenMP threads to use
  bool by_sample = false;      // threads take whole samples
  bool within_sample = false;  // samples in order, each step split across threads
};

// Below this many multiply-adds (a few microseconds on one core) a conv runs on one thread:
// fork-join costs as much as the work, and on a busy machine a descheduled team member
// stalls every barrier.
constexpr int64_t kMinParallelMacs = int64_t{1} << 18;

// m: rows of the weight matrix (the non-image side's channels).
Plan plan_for(int64_t batch, int64_t m, const ConvGeometry& g) {
  Plan p;
  const int64_t macs = batch * m * g.col_rows() * g.col_cols();
  p.threads = macs < kMinParallelMacs ? 1 : std::max(1, omp_get_max_threads());
  p.by_sample = p.threads > 1 && batch >= p.threads;
  p.within_sample = p.threads > 1 && !p.by_sample;
  return p;
}

// Keeps OpenBLAS on the calling thread for one op (restoring the caller's setting after):
// OpenMP is the only thread pool a conv uses.
class BlasThreads {
 public:
  BlasThreads() : saved_(openblas_get_num_threads()) {
    if (saved_ != 1) openblas_set_num_threads(1);
  }
  ~BlasThreads() {
    if (openblas_get_num_threads() != saved_) openblas_set_num_threads(saved_);
  }
  BlasThreads(const BlasThreads&) = delete;
  BlasThreads& operator=(const BlasThreads&) = delete;

 private:
  int saved_;
};

// Row by row rather than element by element: per (channel, kh, kw) row the valid output
// range is computed once, padding becomes a fill and stride-1 rows a memcpy.
template <typename T>
void im2col_rows(const T* image, T* col, const ConvGeometry& g, bool parallel) {
  const int64_t rows = g.col_rows(), cols = g.col_cols(), taps = g.kernel_h * g.kernel_w;
#pragma omp parallel for schedule(static) if (parallel && rows > 1)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r / taps, kh = (r % taps) / g.kernel_w, kw = r % g.kernel_w;
    T* dst_row = col + r * cols;
    int64_t h_lo, h_hi, w_lo, w_hi;
    math::conv_valid_range(kh, g.stride_h, g.pad_h, g.dil_h, g.height, g.out_h, h_lo, h_hi);
    math::conv_valid_range(kw, g.stride_w, g.pad_w, g.dil_w, g.width, g.out_w, w_lo, w_hi);
    std::fill(dst_row, dst_row + h_lo * g.out_w, T(0));
    for (int64_t oh = h_lo; oh < h_hi; ++oh) {
      const int64_t ih = math::conv_image_coord(oh, kh, g.stride_h, g.pad_h, g.dil_h);
      const T* src = image + (c * g.height + ih) * g.width;
      T* dst = dst_row + oh * g.out_w;
      std::fill(dst, dst + w_lo, T(0));
      const int64_t iw0 = math::conv_image_coord(0, kw, g.stride_w, g.pad_w, g.dil_w);
      if (g.stride_w == 1) {
        std::memcpy(dst + w_lo, src + iw0 + w_lo, sizeof(T) * (w_hi - w_lo));
      } else {
        for (int64_t ow = w_lo; ow < w_hi; ++ow) dst[ow] = src[iw0 + ow * g.stride_w];
      }
      std::fill(dst + w_hi, dst + g.out_w, T(0));
    }
    std::fill(dst_row + h_hi * g.out_w, dst_row + cols, T(0));
  }
}

// Scatter-adds each columns row into its image channel. Channels are independent, so they
// are the unit of parallel work. The image starts at fill[c] (a bias) or 0, which saves a
// separate bias pass.
template <typename T>
void col2im_channels(const T* col, T* image, const ConvGeometry& g, const T* fill, bool parallel) {
  const int64_t cols = g.col_cols(), plane = g.height * g.width;
#pragma omp parallel for schedule(static) if (parallel && g.channels > 1)
  for (int64_t c = 0; c < g.channels; ++c) {
    T* img = image + c * plane;
    std::fill(img, img + plane, fill ? fill[c] : T(0));
    for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
      int64_t h_lo, h_hi;
      math::conv_valid_range(kh, g.stride_h, g.pad_h, g.dil_h, g.height, g.out_h, h_lo, h_hi);
      for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
        int64_t w_lo, w_hi;
        math::conv_valid_range(kw, g.stride_w, g.pad_w, g.dil_w, g.width, g.out_w, w_lo, w_hi);
        const T* src_row = col + ((c * g.kernel_h + kh) * g.kernel_w + kw) * cols;
        const int64_t iw0 = math::conv_image_coord(0, kw, g.stride_w, g.pad_w, g.dil_w);
        for (int64_t oh = h_lo; oh < h_hi; ++oh) {
          const int64_t ih = math::conv_image_coord(oh, kh, g.stride_h, g.pad_h, g.dil_h);
          T* dst = img + ih * g.width + iw0;
          const T* src = src_row + oh * g.out_w;
          if (g.stride_w == 1) {
            for (int64_t ow = w_lo; ow < w_hi; ++ow) dst[ow] += src[ow];
          } else {
            for (int64_t ow = w_lo; ow < w_hi; ++ow) dst[ow * g.stride_w] += src[ow];
          }
        }
      }
    }
  }
}

// One columns matrix per thread, allocated before any parallel region so that a failed
// allocation throws on the calling thread.
template <typename T>
std::unique_ptr<T[]> columns_scratch(const ConvGeometry& g, const Plan& plan) {
  if (g.columns_are_image()) return nullptr;
  const int64_t per_thread = g.col_rows() * g.col_cols();
  return std::unique_ptr<T[]>(new T[per_thread * (plan.by_sample ? plan.threads : 1)]);
}

// body(n, thread) for every sample: whole samples per OpenMP thread, or all samples in
// order on the calling thread (thread 0), whose body then opens its own parallel loops.
// Never both: a parallel region nested in another gets a second set of threads, and on a
// machine with as many threads as cores the two sets spin against each other.
template <typename Body>
void for_each_sample(int64_t batch, const Plan& plan, const Body& body) {
  if (!plan.by_sample) {
    for (int64_t n = 0; n < batch; ++n) body(n, 0);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < batch; ++n) body(n, omp_get_thread_num());
}

// cols (N, m, P) = a (m, K) . im2col(image_n) [+ bias (m) per row].
template <typename T>
void lower_loop(T* cols, const T* image, const T* a, const T* bias, int64_t batch, int64_t m,
                const ConvGeometry& g, const Plan& plan) {
  const int64_t k = g.col_rows(), p = g.col_cols(), image_size = g.image_size();
  const bool inner = plan.within_sample;
  const auto scratch = columns_scratch<T>(g, plan);
  for_each_sample(batch, plan, [&](int64_t n, int thread) {
    const T* b = image + n * image_size;
    if (scratch) {
      T* col = scratch.get() + thread * k * p;
      im2col_rows(b, col, g, inner);
      b = col;
    }
    T* out = cols + n * m * p;
    if (bias)
      for (int64_t o = 0; o < m; ++o) std::fill(out + o * p, out + (o + 1) * p, bias[o]);
    gemm_cols(CblasNoTrans, CblasNoTrans, m, p, k, a, k, b, p, bias ? 1.0 : 0.0, out, inner);
  });
}

// image_n = col2im(a^T . cols_n) [+ bias (g.channels) per channel].
template <typename T>
void lift_loop(T* image, const T* cols, const T* a, const T* bias, int64_t batch, int64_t m,
               const ConvGeometry& g, const Plan& plan) {
  const int64_t k = g.col_rows(), p = g.col_cols(), image_size = g.image_size();
  const bool inner = plan.within_sample;
  const auto scratch = columns_scratch<T>(g, plan);
  for_each_sample(batch, plan, [&](int64_t n, int thread) {
    T* img = image + n * image_size;
    const T* b = cols + n * m * p;
    if (scratch) {
      T* col = scratch.get() + thread * k * p;
      gemm_cols(CblasTrans, CblasNoTrans, k, p, m, a, k, b, p, 0.0, col, inner);
      col2im_channels(col, img, g, bias, inner);
    } else {
      if (bias)
        for (int64_t c = 0; c < k; ++c) std::fill(img + c * p, img + (c + 1) * p, bias[c]);
      gemm_cols(CblasTrans, CblasNoTrans, k, p, m, a, k, b, p, bias ? 1.0 : 0.0, img, inner);
    }
  });
}

// da (m, K) = sum_n cols_n . im2col(image_n)^T.
template <typename T>
void weight_grad_loop(T* da, const T* cols, const T* image, int64_t batch, int64_t m,
                      const ConvGeometry& g, const Plan& plan) {
  const int64_t k = g.col_rows(), p = g.col_cols(), image_size = g.image_size();
  const bool inner = plan.within_sample;
  const int slots = plan.by_sample ? plan.threads : 1;
  const auto scratch = columns_scratch<T>(g, plan);
  // Thread 0 accumulates straight into da, the others into their own partial sums.
  std::unique_ptr<T[]> partial(slots > 1 ? new T[(slots - 1) * m * k] : nullptr);
  std::vector<char> used(slots, 0);
  for_each_sample(batch, plan, [&](int64_t n, int thread) {
    T* acc = thread == 0 ? da : partial.get() + (thread - 1) * m * k;
    const T* b = image + n * image_size;
    if (scratch) {
      T* col = scratch.get() + thread * k * p;
      im2col_rows(b, col, g, inner);
      b = col;
    }
    gemm_cols(CblasNoTrans, CblasTrans, m, k, p, cols + n * m * p, p, b, p,
              used[thread] ? 1.0 : 0.0, acc, inner);
    used[thread] = 1;
  });
  const int64_t total = m * k;
  if (!used[0]) std::fill(da, da + total, T(0));
  for (int t = 1; t < slots; ++t) {
    if (!used[t]) continue;
    const T* src = partial.get() + (t - 1) * total;
#pragma omp parallel for schedule(static) if (total > 65536)
    for (int64_t i = 0; i < total; ++i) da[i] += src[i];
  }
}

// db (channels) = sum over n and positions of grad (N, channels, positions), in double.
template <typename T>
void bias_grad_loop(T* db, const T* grad, int64_t batch, int64_t channels, int64_t positions) {
#pragma omp parallel for schedule(static) if (batch * channels * positions > 65536)
  for (int64_t c = 0; c < channels; ++c) {
    double acc = 0;
    for (int64_t n = 0; n < batch; ++n) {
      const T* src = grad + (n * channels + c) * positions;
      double part = 0;  // simd: a fixed, vectorised summation order instead of a serial one
#pragma omp simd reduction(+ : part)
      for (int64_t i = 0; i < positions; ++i) part += static_cast<double>(src[i]);
      acc += part;
    }
    db[c] = static_cast<T>(acc);
  }
}

template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

void im2col(const Tensor& columns, const Tensor& image, const ConvGeometry& g) {
  TINT_DISPATCH_FLOATING(image.dtype(), "im2col", [&] {
    im2col_rows(image.data<scalar_t>(), columns.data<scalar_t>(), g, false);
  });
}

void col2im(const Tensor& image, const Tensor& columns, const ConvGeometry& g) {
  TINT_DISPATCH_FLOATING(image.dtype(), "col2im", [&] {
    col2im_channels<scalar_t>(columns.data<scalar_t>(), image.data<scalar_t>(), g, nullptr, false);
  });
}

void conv2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                    const Tensor& bias, const ConvGeometry& g) {
  const int64_t batch = input.shape()[0], c_out = weight.shape()[0];
  const Plan plan = plan_for(batch, c_out, g);
  const BlasThreads blas;
  TINT_DISPATCH_FLOATING(input.dtype(), "conv2d", [&] {
    lower_loop(out.data<scalar_t>(), input.data<scalar_t>(), weight.data<scalar_t>(),
               data_or_null<scalar_t>(bias), batch, c_out, g, plan);
  });
}

void conv2d_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                     const Tensor& grad_out, const Tensor& input, const Tensor& weight,
                     const ConvGeometry& g) {
  const int64_t batch = input.shape()[0], c_out = weight.shape()[0];
  const Plan plan = plan_for(batch, c_out, g);
  const BlasThreads blas;
  TINT_DISPATCH_FLOATING(input.dtype(), "conv2d backward", [&] {
    const scalar_t* dy = grad_out.data<scalar_t>();
    if (grad_input.defined())
      lift_loop<scalar_t>(grad_input.data<scalar_t>(), dy, weight.data<scalar_t>(), nullptr, batch,
                          c_out, g, plan);
    if (grad_weight.defined())
      weight_grad_loop(grad_weight.data<scalar_t>(), dy, input.data<scalar_t>(), batch, c_out, g,
                       plan);
    if (grad_bias.defined())
      bias_grad_loop(grad_bias.data<scalar_t>(), dy, batch, c_out, g.col_cols());
  });
}

void conv_transpose2d_forward(const Tensor& out, const Tensor& input, const Tensor& weight,
                              const Tensor& bias, const ConvGeometry& g) {
  const int64_t batch = input.shape()[0], c_in = weight.shape()[0];
  const Plan plan = plan_for(batch, c_in, g);
  const BlasThreads blas;
  TINT_DISPATCH_FLOATING(input.dtype(), "conv_transpose2d", [&] {
    lift_loop(out.data<scalar_t>(), input.data<scalar_t>(), weight.data<scalar_t>(),
              data_or_null<scalar_t>(bias), batch, c_in, g, plan);
  });
}

void conv_transpose2d_backward(const Tensor& grad_input, const Tensor& grad_weight,
                               const Tensor& grad_bias, const Tensor& grad_out, const Tensor& input,
                               const Tensor& weight, const ConvGeometry& g) {
  const int64_t batch = input.shape()[0], c_in = weight.shape()[0];
  const Plan plan = plan_for(batch, c_in, g);
  const BlasThreads blas;
  TINT_DISPATCH_FLOATING(input.dtype(), "conv_transpose2d backward", [&] {
    const scalar_t* dy = grad_out.data<scalar_t>();
    if (grad_input.defined())
      lower_loop<scalar_t>(grad_input.data<scalar_t>(), dy, weight.data<scalar_t>(), nullptr, batch,
                           c_in, g, plan);
    if (grad_weight.defined())
      weight_grad_loop(grad_weight.data<scalar_t>(), input.data<scalar_t>(), dy, batch, c_in, g,
                       plan);
    if (grad_bias.defined())
      bias_grad_loop(grad_bias.data<scalar_t>(), dy, batch, g.channels, g.height * g.width);
  });
}

}  // namespace tint::cpu
