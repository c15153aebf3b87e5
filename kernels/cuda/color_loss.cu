// CUDA rebalanced cross-entropy, forward and backward, from the row functions of
// kernels/math/color_loss.h that the host loop calls, so neither builds the dense 313-wide
// target: a row recomputes its pixels' K nearest bins from the candidate table. Each row's
// classes are split between kernel_settings().loss_row_split threads
// (kernels/cuda/row_split.cuh): the forward merges
// their partial exponential sums into the log-sum-exp, the backward writes the softmax part
// in parallel and, after a barrier, subtracts the sparse targets in the row's first thread.
// Adjacent threads take adjacent positions, so every class plane is read coalesced. The forward's sums are reduced per block in shared memory and added into
// device counters, then copied to the host.
#include "framework/core/dtype.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/color_loss.h"
#include "kernels/cuda/row_split.cuh"

namespace tint::color::cuda {

namespace {

// Device totals: [loss sum (double bits), bad rows, bad targets].
struct Totals {
  double total;
  unsigned long long bad_rows, bad_targets;
};

// Adds each thread's values into *out, one atomic per block (blocks of kThreads threads,
// of any shape).
__device__ void block_add(double v, long long rows, long long targets, Totals* out) {
  __shared__ double sv[kThreads];
  __shared__ long long sr[kThreads], st[kThreads];
  const int t = threadIdx.y * blockDim.x + threadIdx.x;
  sv[t] = v;
  sr[t] = rows;
  st[t] = targets;
  __syncthreads();
  for (int s = kThreads / 2; s > 0; s >>= 1) {
    if (t < s) {
      sv[t] += sv[t + s];
      sr[t] += sr[t + s];
      st[t] += st[t + s];
    }
    __syncthreads();
  }
  if (t == 0) {
    atomicAdd(&out->total, sv[0]);
    atomicAdd(&out->bad_rows, static_cast<unsigned long long>(sr[0]));
    atomicAdd(&out->bad_targets, static_cast<unsigned long long>(st[0]));
  }
}

template <int Split, typename T>
__global__ void __launch_bounds__(kThreads)
    forward_kernel(math::ColorLossGeometry g, math::RebalancedArgs<T> args, T* losses,
                   double* lse, Totals* totals) {
  const RowSplit at = row_split<Split>(g.rows(), g.classes);
  math::RowSums<0> mine;
  if (at.active) {
    const math::RowPlace place(g, at.row, g.classes);
    mine = math::row_plain_sums(args.logits + place.base, at.c_begin, at.c_end, place.hw);
  }
  if constexpr (Split > 1) {  // with Split = 1 the whole row is this thread's
    __shared__ SharedRowSums<0, Split> parts;
    parts.put(mine);
    __syncthreads();
    if (threadIdx.y == 0 && at.active) mine = parts.merged(math::ExpScale{});
  }
  double total = 0;
  int64_t bad_rows = 0, bad_targets = 0;
  if (threadIdx.y == 0 && at.active) {
    const double l = math::logsumexp_of(mine);
    lse[at.row] = l;
    math::rebalanced_row_losses(g, args, at.row, l, losses, &total, &bad_targets, &bad_rows);
  }
  block_add(total, bad_rows, bad_targets, totals);  // every thread of the block takes part
}

template <int Split, typename T>
__global__ void __launch_bounds__(kThreads)
    backward_kernel(math::ColorLossGeometry g, math::RebalancedArgs<T> args, T* grad,
                    const double* lse, const T* grad_out, bool per_position, double scale) {
  const RowSplit at = row_split<Split>(g.rows(), g.classes);
  // The row's sum of pixel scales, computed once (by the row's first thread) and shared.
  double total = 0;
  if constexpr (Split > 1) {
    __shared__ double totals[rows_per_block<Split>()];
    if (threadIdx.y == 0 && at.active)
      totals[threadIdx.x] =
          math::rebalanced_row_grad_total(g, args, at.row, grad_out, per_position, scale);
    __syncthreads();
    if (at.active) total = totals[threadIdx.x];
  } else if (at.active) {
    total = math::rebalanced_row_grad_total(g, args, at.row, grad_out, per_position, scale);
  }
  if (at.active)
    math::rebalanced_row_grad_dense(g, args, at.row, grad, lse[at.row], total, at.c_begin,
                                    at.c_end);
  if constexpr (Split > 1)
    __syncthreads();  // the row's softmax part is written (and visible) before the targets
  if (threadIdx.y == 0 && at.active)
    math::rebalanced_row_grad_targets(g, args, at.row, grad, grad_out, per_position, scale);
}

template <typename T>
__global__ void mask_kernel(uint8_t* mask, const T* ab, int64_t total, int64_t per_image,
                            double threshold) {
  TINT_GRID_STRIDE(e, total) {
    // Every writer stores the same 1, so the race is benign.
    if (fabs(static_cast<double>(ab[e])) > threshold) mask[e / per_image] = 1;
  }
}

template <typename T>
math::RebalancedArgs<T> make_args(const Tensor& logits, const Tensor& ab,
                                  const Tensor& class_weights, const Tensor& mask,
                                  const math::BinTable& table, int64_t k, double sigma) {
  math::RebalancedArgs<T> args;
  args.logits = logits.data_ptr<const T>();
  args.ab = ab.data_ptr<const T>();
  args.class_weights = class_weights.defined() ? class_weights.data_ptr<const T>() : nullptr;
  args.mask = mask.defined() ? mask.data_ptr<const uint8_t>() : nullptr;
  args.table = table;
  args.k = static_cast<int32_t>(k);
  args.inv_two_sigma_sq = 1.0 / (2.0 * sigma * sigma);
  return args;
}

}  // namespace

void nongrey_mask(const Tensor& mask, const Tensor& ab, double threshold) {
  const int64_t n = ab.size(0);
  if (n == 0) return;
  TINT_CUDA_CHECK(cudaMemsetAsync(mask.raw_data(), 0, mask.nbytes(), stream_of(mask)));
  const int64_t total = ab.numel();
  if (total == 0) return;
  TINT_DISPATCH_FLOATING(ab.dtype(), "nongrey_mask", [&] {
    mask_kernel<<<blocks_for(total), kThreads, 0, stream_of(ab)>>>(
        mask.data_ptr<uint8_t>(), ab.data_ptr<const scalar_t>(), total, total / n, threshold);
  });
  check_launch("nongrey_mask");
}

Tensor rebalanced_ce_forward_counters(const Tensor& losses, const Tensor& lse,
                                      const Tensor& logits, const Tensor& ab,
                                      const Tensor& class_weights, const Tensor& mask,
                                      const math::BinTable& table,
                                      const math::ColorLossGeometry& geometry, int64_t k,
                                      double sigma) {
  const int64_t rows = geometry.rows();
  // Three 8-byte words: the double total and the two counters.
  Tensor buffer = Tensor::empty({3}, DType::Int64, logits.device());
  TINT_CUDA_CHECK(cudaMemsetAsync(buffer.raw_data(), 0, buffer.nbytes(), stream_of(buffer)));
  if (rows == 0) return buffer;
  Totals* totals = static_cast<Totals*>(buffer.raw_data());
  TINT_DISPATCH_FLOATING(logits.dtype(), "rebalanced_cross_entropy", [&] {
    const auto args = make_args<scalar_t>(logits, ab, class_weights, mask, table, k, sigma);
    with_row_split(kernel_settings().loss_row_split, "loss_row_split", [&]<int S>() {
      forward_kernel<S><<<row_blocks<S>(rows), row_block<S>(), 0, stream_of(logits)>>>(
          geometry, args, losses.defined() ? losses.data_ptr<scalar_t>() : nullptr,
          lse.data_ptr<double>(), totals);
    });
  });
  check_launch("rebalanced_ce_forward");
  return buffer;
}

RebalancedSums rebalanced_ce_forward(const Tensor& losses, const Tensor& lse,
                                     const Tensor& logits, const Tensor& ab,
                                     const Tensor& class_weights, const Tensor& mask,
                                     const math::BinTable& table,
                                     const math::ColorLossGeometry& geometry, int64_t k,
                                     double sigma) {
  if (geometry.rows() == 0) return RebalancedSums{};
  const Tensor buffer = rebalanced_ce_forward_counters(losses, lse, logits, ab, class_weights,
                                                       mask, table, geometry, k, sigma);
  return cpu::sums_from_counters(buffer.to_vector<int64_t>());  // waits for the stream
}

void rebalanced_ce_backward(const Tensor& grad_logits, const Tensor& logits, const Tensor& lse,
                            const Tensor& ab, const Tensor& class_weights, const Tensor& mask,
                            const Tensor& grad_out, bool per_position, double scale,
                            const math::BinTable& table,
                            const math::ColorLossGeometry& geometry, int64_t k, double sigma) {
  const int64_t rows = geometry.rows();
  if (rows == 0) return;
  TINT_DISPATCH_FLOATING(logits.dtype(), "rebalanced_cross_entropy backward", [&] {
    const auto args = make_args<scalar_t>(logits, ab, class_weights, mask, table, k, sigma);
    with_row_split(kernel_settings().loss_row_split, "loss_row_split", [&]<int S>() {
      backward_kernel<S><<<row_blocks<S>(rows), row_block<S>(), 0, stream_of(logits)>>>(
          geometry, args, grad_logits.data_ptr<scalar_t>(), lse.data_ptr<const double>(),
          grad_out.data_ptr<const scalar_t>(), per_position, scale);
    });
  });
  check_launch("rebalanced_ce_backward");
}

}  // namespace tint::color::cuda
