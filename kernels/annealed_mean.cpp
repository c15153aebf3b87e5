// Public annealed mean (kernels/annealed_mean.h): checks, contiguous input, the bin centres
// on the input's device (from the bins' table), and dispatch to the host loop or the CUDA
// kernel. No autograd node: the decoding is for inference.
#include "kernels/annealed_mean.h"

#include <cmath>

#include "framework/core/error.h"
#include "framework/ops/dispatch.h"
#include "kernels/cpu/annealed_mean.h"
#if defined(TINT_WITH_CUDA)
#include "kernels/cuda/annealed_mean.h"
#endif

namespace tint::color {

namespace {

Tensor decode(const Tensor& x, double temperature, const AbBins& bins, bool from_probs,
              const char* op, const char* what) {
  TINT_CHECK(x.defined(), op, ": the ", what, " are an undefined tensor");
  TINT_CHECK(x.dim() >= 2 && x.size(1) == bins.size(), op, ": expected ", what, " of shape (N, ",
             bins.size(), ", ...), got ", shape_str(x.shape()));
  TINT_CHECK(is_floating(x.dtype()), op, ": expected float32 or float64 ", what, ", got ",
             dtype_name(x.dtype()));
  TINT_CHECK(std::isfinite(temperature) && temperature > 0, op,
             ": the temperature must be positive, got ", temperature);
  const Tensor xc = x.detach().contiguous();
  Shape out_shape = xc.shape();
  out_shape[1] = 2;
  Tensor out = Tensor::empty(out_shape, xc.dtype(), xc.device());
  const math::BinTable centres = bins.table(1, xc.device());
  TINT_DEVICE_CALL_IN(::tint::color, xc.device(), annealed_mean, out, xc, centres.a, centres.b,
                      temperature, from_probs);
  return out;
}

}  // namespace

Tensor annealed_mean(const Tensor& logits, double temperature, const AbBins& bins) {
  return decode(logits, temperature, bins, false, "annealed_mean", "logits");
}

Tensor annealed_mean_from_probs(const Tensor& probs, double temperature, const AbBins& bins) {
  return decode(probs, temperature, bins, true, "annealed_mean_from_probs", "probabilities");
}

}  // namespace tint::color
