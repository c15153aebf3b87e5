// Public colorization losses (kernels/color_loss.h). rebalanced_cross_entropy checks its
// arguments, builds the optional grey-image mask, runs the fused forward (host loop or CUDA
// kernel) and records one autograd node whose backward recomputes the sparse targets rather
// than keeping them: the forward saves only each logits row's log-sum-exp (N, h, w).
// l2_color_loss is a thin composition of mse_loss, which is already one fused node per device.
#include "kernels/color_loss.h"

#include <cmath>

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/deferred_checks.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/loss.h"
#include "framework/ops/reduce.h"
#include "framework/tensor/factories.h"
#include "framework/memory/storage.h"
#include "kernels/cpu/color_loss.h"
#if defined(TINT_WITH_CUDA)
#include "kernels/cuda/color_loss.h"
#endif

namespace tint::color {

namespace {

// The reduction's denominator for `pixels` per-pixel losses over n images.
double denominator_of(LossReduction r, int64_t n, int64_t pixels) {
  switch (r) {
    case LossReduction::Mean:
      return static_cast<double>(pixels);
    case LossReduction::PerImageSum:
      return static_cast<double>(n);
    default:
      return 1.0;
  }
}

void check_options(const ColorLossOptions& o, const char* op) {
  TINT_CHECK(o.k >= 1 && o.k <= math::kMaxNeighbours, op,
             ": the number of neighbours k must "
             "be in [1, ",
             math::kMaxNeighbours, "], got ", o.k);
  TINT_CHECK(std::isfinite(o.sigma) && o.sigma > 0, op, ": sigma must be positive, got ", o.sigma);
  TINT_CHECK(std::isfinite(o.grey_threshold) && o.grey_threshold >= 0, op,
             ": grey_threshold must be a non-negative number, got ", o.grey_threshold);
}

// The forward's checks of its sums (on the host at once, or at DeferredChecks::verify()).
void check_sums(const char* op, const cpu::RebalancedSums& sums, int64_t rows,
                int64_t pixels) {
  TINT_CHECK(sums.bad_rows == 0, op, ": logits contain NaN or infinity at ", sums.bad_rows,
             " of the ", rows, " positions (N x h x w)");
  TINT_CHECK(sums.bad_targets == 0, op, ": the ab target contains NaN or infinity at ",
             sums.bad_targets, " of the ", pixels, " pixels the loss reads");
}

#if defined(TINT_WITH_CUDA)
// total * scale as a one-element tensor of dtype, computed on the device from the counters'
// first word (the double total's bits), without a host round trip.
Tensor total_on_device(const Tensor& counters, double scale, DType dtype) {
  const Tensor total = Tensor::empty({}, DType::Float64, counters.device());
  copy_bytes(total.raw_data(), total.device(), counters.raw_data(), counters.device(),
             sizeof(double));
  return mul(total, scale).to(dtype);
}
#endif

}  // namespace

Tensor rebalanced_cross_entropy(const Tensor& logits, const Tensor& ab, const Tensor& class_weights,
                                const ColorLossOptions& options) {
  const char* op = "rebalanced_cross_entropy";
  check_options(options, op);
  const AbBins& bins = options.bins ? *options.bins : AbBins::standard();
  const int64_t q = bins.size();
  check_floating(logits, op, "the logits");
  TINT_CHECK(logits.dim() == 4 && logits.size(1) == q, op, ": expected logits of shape (N, ", q,
             ", h, w), got ", shape_str(logits.shape()));
  check_floating(ab, op, "the ab target");
  TINT_CHECK(ab.dim() == 4 && ab.size(1) == 2, op,
             ": expected the ab target of shape (N, 2, H, W), got ", shape_str(ab.shape()));
  TINT_CHECK(ab.dtype() == logits.dtype(), op, ": the ab target must have the logits' dtype ",
             dtype_name(logits.dtype()), ", got ", dtype_name(ab.dtype()));
  TINT_CHECK(ab.device() == logits.device(), op, ": the ab target must be on the logits' device ",
             logits.device().str(), ", got ", ab.device().str());
  TINT_CHECK(logits.size(0) == ab.size(0), op, ": the logits hold N = ", logits.size(0),
             " images but the ab target holds ", ab.size(0));
  const int64_t n = logits.size(0), h = logits.size(2), w = logits.size(3);
  const int64_t ab_h = ab.size(2), ab_w = ab.size(3);
  TINT_CHECK(h > 0 && w > 0 && ab_h % h == 0 && ab_w % w == 0, op, ": the ab target's size ", ab_h,
             " x ", ab_w, " must be a whole multiple of the logits' size ", h, " x ", w);
  if (class_weights.defined()) {
    TINT_CHECK(class_weights.dim() == 1 && class_weights.size(0) == q, op,
               ": expected class_weights of shape (", q, "), got ",
               shape_str(class_weights.shape()));
    TINT_CHECK(class_weights.dtype() == logits.dtype(), op,
               ": class_weights must have the logits' dtype ", dtype_name(logits.dtype()), ", got ",
               dtype_name(class_weights.dtype()));
    TINT_CHECK(class_weights.device() == logits.device(), op,
               ": class_weights must be on the logits' device ", logits.device().str(), ", got ",
               class_weights.device().str());
  }

  math::ColorLossGeometry g;
  g.n = n;
  g.classes = q;
  g.h = h;
  g.w = w;
  g.ab_h = ab_h;
  g.ab_w = ab_w;
  g.fy = ab_h / h;
  g.fx = ab_w / w;
  g.full = options.target_resolution == TargetResolution::Full;
  const Device device = logits.device();
  const Tensor xc = logits.detach().contiguous();
  const Tensor abc = ab.detach().contiguous();
  const Tensor wc = class_weights.defined() ? class_weights.detach().contiguous() : Tensor();
  Tensor mask;
  if (options.grey_mask) {
    mask = Tensor::empty({n}, DType::UInt8, device);
    TINT_DEVICE_CALL_IN(::tint::color, device, nongrey_mask, mask, abc, options.grey_threshold);
  }
  const LossReduction reduction = options.reduction;
  const bool per_pixel = reduction == LossReduction::None;
  Tensor losses;
  if (per_pixel) losses = Tensor::empty({n, g.loss_h(), g.loss_w()}, xc.dtype(), device);
  Tensor lse = Tensor::empty({n, h, w}, DType::Float64, device);
  const math::BinTable table = bins.table(options.k, device);
  const int64_t rows = g.rows(), pixels = n * g.loss_h() * g.loss_w();
  const double scale = 1.0 / denominator_of(reduction, n, pixels);
  Tensor out;
#if defined(TINT_WITH_CUDA)
  if (DeferredChecks* deferred = device.is_cuda() ? DeferredChecks::active() : nullptr) {
    // Nothing read on the host (a CUDA graph may be capturing): the sums stay on the device,
    // the checks run at deferred->verify().
    const Tensor counters = cuda::rebalanced_ce_forward_counters(
        losses, lse, xc, abc, wc, mask, table, g, options.k, options.sigma);
    deferred->add(counters, [op, rows, pixels](const std::vector<int64_t>& c) {
      check_sums(op, cpu::sums_from_counters(c), rows, pixels);
    });
    out = per_pixel ? losses : total_on_device(counters, scale, xc.dtype());
  }
#endif
  if (!out.defined()) {
    const cpu::RebalancedSums sums =
        TINT_DEVICE_CALL_IN(::tint::color, device, rebalanced_ce_forward, losses, lse, xc, abc,
                            wc, mask, table, g, options.k, options.sigma);
    check_sums(op, sums, rows, pixels);
    out = per_pixel ? losses : scalar_tensor(sums.total * scale, options_of(xc));
  }
  // The op keeps its own copy of the bins (it shares their tables), so the caller's may go.
  const AbBins kept = bins;
  const int64_t k = options.k;
  const double sigma = options.sigma;
  return record(out, op, {logits},
                [xc, abc, wc, mask, lse, g, kept, k, sigma, per_pixel, scale](
                    const Tensor& grad, const std::vector<bool>&) -> std::vector<Tensor> {
                  Tensor gl = Tensor::empty(xc.shape(), xc.dtype(), xc.device());
                  TINT_DEVICE_CALL_IN(::tint::color, xc.device(), rebalanced_ce_backward, gl, xc,
                                      lse, abc, wc, mask, grad.contiguous(), per_pixel, scale,
                                      kept.table(k, xc.device()), g, k, sigma);
                  return {gl};
                });
}

Tensor l2_color_loss(const Tensor& pred_ab, const Tensor& ab, LossReduction reduction) {
  const char* op = "l2_color_loss";
  check_floating(pred_ab, op, "the predicted ab");
  check_floating(ab, op, "the ab target");
  TINT_CHECK(pred_ab.dim() == 4 && pred_ab.size(1) == 2, op,
             ": expected the predicted ab of shape (N, 2, H, W), got ", shape_str(pred_ab.shape()));
  check_same_shape(pred_ab, ab, op, "the predicted ab", "the ab target");
  check_same_dtype(pred_ab, ab, op, "the predicted ab", "the ab target");
  check_same_device(pred_ab, ab, op, "the predicted ab", "the ab target");
  const int64_t n = ab.size(0), pixels = n * ab.size(2) * ab.size(3);
  if (reduction == LossReduction::None) return sum(mse_loss(pred_ab, ab, Reduction::None), 1) * 0.5;
  return mse_loss(pred_ab, ab, Reduction::Sum) * (0.5 / denominator_of(reduction, n, pixels));
}

}  // namespace tint::color
