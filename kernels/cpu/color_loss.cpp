// Host rebalanced cross-entropy: one OpenMP iteration per logits position (row), each calling
// the row functions of kernels/math/color_loss.h, exactly as one CUDA thread does. A row's
// ab pixels are its own, so the backward's writes never collide. Sums in double.
#include "kernels/cpu/color_loss.h"

#include <cmath>

namespace tint::color::cpu {

namespace {

constexpr int64_t kParallelRows = 64;

template <typename T>
math::RebalancedArgs<T> make_args(const Tensor& logits, const Tensor& ab,
                                  const Tensor& class_weights, const Tensor& mask,
                                  const math::BinTable& table, int64_t k, double sigma) {
  math::RebalancedArgs<T> args;
  args.logits = logits.data<T>();
  args.ab = ab.data<T>();
  args.class_weights = class_weights.defined() ? class_weights.data<T>() : nullptr;
  args.mask = mask.defined() ? mask.data<uint8_t>() : nullptr;
  args.table = table;
  args.k = static_cast<int32_t>(k);
  args.inv_two_sigma_sq = 1.0 / (2.0 * sigma * sigma);
  return args;
}

template <typename T>
RebalancedSums forward_loop(const math::ColorLossGeometry& g, const math::RebalancedArgs<T>& args,
                            T* losses, double* lse) {
  double total = 0;
  int64_t bad_rows = 0, bad_targets = 0;
  const int64_t rows = g.rows();
#pragma omp parallel for reduction(+ : total, bad_rows, bad_targets) if (rows > kParallelRows)
  for (int64_t r = 0; r < rows; ++r)
    math::rebalanced_row_forward(g, args, r, losses, &lse[r], &total, &bad_targets, &bad_rows);
  return {total, bad_rows, bad_targets};
}

template <typename T>
void backward_loop(const math::ColorLossGeometry& g, const math::RebalancedArgs<T>& args,
                   T* grad, const double* lse, const T* grad_out, bool per_position,
                   double scale) {
  const int64_t rows = g.rows();
#pragma omp parallel for if (rows > kParallelRows)
  for (int64_t r = 0; r < rows; ++r)
    math::rebalanced_row_backward(g, args, r, grad, lse[r], grad_out, per_position, scale);
}

template <typename T>
void mask_loop(uint8_t* mask, const T* ab, int64_t n, int64_t per_image, double threshold) {
#pragma omp parallel for if (n * per_image > 65536)
  for (int64_t i = 0; i < n; ++i) {
    const T* x = ab + i * per_image;
    uint8_t any = 0;
    for (int64_t e = 0; e < per_image && !any; ++e)
      any = std::abs(static_cast<double>(x[e])) > threshold ? 1 : 0;
    mask[i] = any;
  }
}

}  // namespace

void nongrey_mask(const Tensor& mask, const Tensor& ab, double threshold) {
  const int64_t n = ab.size(0);
  TINT_DISPATCH_FLOATING(ab.dtype(), "nongrey_mask", [&] {
    mask_loop(mask.data<uint8_t>(), ab.data<scalar_t>(), n, n ? ab.numel() / n : 0, threshold);
  });
}

RebalancedSums rebalanced_ce_forward(const Tensor& losses, const Tensor& lse,
                                     const Tensor& logits, const Tensor& ab,
                                     const Tensor& class_weights, const Tensor& mask,
                                     const math::BinTable& table,
                                     const math::ColorLossGeometry& geometry, int64_t k,
                                     double sigma) {
  return TINT_DISPATCH_FLOATING(logits.dtype(), "rebalanced_cross_entropy", [&] {
    const auto args = make_args<scalar_t>(logits, ab, class_weights, mask, table, k, sigma);
    return forward_loop(geometry, args, losses.defined() ? losses.data<scalar_t>() : nullptr,
                        lse.data<double>());
  });
}

void rebalanced_ce_backward(const Tensor& grad_logits, const Tensor& logits, const Tensor& lse,
                            const Tensor& ab, const Tensor& class_weights, const Tensor& mask,
                            const Tensor& grad_out, bool per_position, double scale,
                            const math::BinTable& table,
                            const math::ColorLossGeometry& geometry, int64_t k, double sigma) {
  TINT_DISPATCH_FLOATING(logits.dtype(), "rebalanced_cross_entropy backward", [&] {
    const auto args = make_args<scalar_t>(logits, ab, class_weights, mask, table, k, sigma);
    backward_loop(geometry, args, grad_logits.data<scalar_t>(), lse.data<double>(),
                  grad_out.data<scalar_t>(), per_position, scale);
  });
}

}  // namespace tint::color::cpu
