// Public soft-encoding (kernels/soft_encode.h): argument checks, contiguous inputs, the
// candidate table for K on ab's device, and dispatch to the host loop or the CUDA kernel.
#include "kernels/soft_encode.h"

#include <cmath>

#include "framework/core/error.h"
#include "framework/ops/dispatch.h"
#include "kernels/cpu/soft_encode.h"
#if defined(TINT_WITH_CUDA)
#include "kernels/cuda/soft_encode.h"
#endif

namespace tint::color {

namespace {

void check_ab(const Tensor& ab, const char* op) {
  TINT_CHECK(ab.defined(), op, ": the ab input is an undefined tensor");
  TINT_CHECK(ab.dim() == 4 && ab.size(1) == 2, op, ": expected ab of shape (N, 2, H, W), got ",
             shape_str(ab.shape()));
  TINT_CHECK(is_floating(ab.dtype()), op, ": expected float32 or float64 ab, got ",
             dtype_name(ab.dtype()));
}

void check_options(const SoftEncodeOptions& o, const char* op) {
  TINT_CHECK(o.k >= 1 && o.k <= math::kMaxNeighbours, op,
             ": the number of neighbours k must "
             "be in [1, ",
             math::kMaxNeighbours, "], got ", o.k);
  TINT_CHECK(std::isfinite(o.sigma) && o.sigma > 0, op, ": sigma must be positive, got ", o.sigma);
}

Shape encoded_shape(const Tensor& ab, int64_t channels) {
  return {ab.size(0), channels, ab.size(2), ab.size(3)};
}

}  // namespace

Tensor nearest_bins(const Tensor& ab, const AbBins& bins) {
  check_ab(ab, "nearest_bins");
  const Tensor x = ab.detach().contiguous();
  Tensor indices = Tensor::empty(encoded_shape(x, 1), DType::Int64, x.device());
  TINT_DEVICE_CALL_IN(::tint::color, x.device(), soft_encode, indices, Tensor(), x,
                      bins.table(1, x.device()), 1, 5.0);
  return indices.reshape({x.size(0), x.size(2), x.size(3)});
}

SoftEncoding soft_encode(const Tensor& ab, const SoftEncodeOptions& options) {
  check_ab(ab, "soft_encode");
  check_options(options, "soft_encode");
  const AbBins& bins = options.bins ? *options.bins : AbBins::standard();
  const Tensor x = ab.detach().contiguous();
  SoftEncoding e;
  e.indices = Tensor::empty(encoded_shape(x, options.k), DType::Int64, x.device());
  e.weights = Tensor::empty(encoded_shape(x, options.k), x.dtype(), x.device());
  TINT_DEVICE_CALL_IN(::tint::color, x.device(), soft_encode, e.indices, e.weights, x,
                      bins.table(options.k, x.device()), options.k, options.sigma);
  return e;
}

Tensor soft_encode_dense(const Tensor& ab, const SoftEncodeOptions& options) {
  check_ab(ab, "soft_encode_dense");
  check_options(options, "soft_encode_dense");
  const AbBins& bins = options.bins ? *options.bins : AbBins::standard();
  const Tensor x = ab.detach().contiguous();
  Tensor dense = Tensor::empty(encoded_shape(x, bins.size()), x.dtype(), x.device());
  TINT_DEVICE_CALL_IN(::tint::color, x.device(), soft_encode_dense, dense, x,
                      bins.table(options.k, x.device()), options.k, options.sigma);
  return dense;
}

}  // namespace tint::color
