// Argument checks shared by the public ops.
#include "framework/ops/checks.h"

namespace tint {

void check_defined(const Tensor& t, const char* op, const char* what) {
  TINT_CHECK(t.defined(), op, ": ", what, " is an undefined tensor");
}

void check_floating(const Tensor& t, const char* op, const char* what) {
  check_defined(t, op, what);
  TINT_CHECK(is_floating(t.dtype()), op, ": ", what, " must be float32 or float64, got ",
             dtype_name(t.dtype()));
}

void check_rank(const Tensor& t, int64_t rank, const char* op, const char* what) {
  check_defined(t, op, what);
  TINT_CHECK(t.dim() == rank, op, ": ", what, " must be ", rank, "-D, got shape ",
             shape_str(t.shape()));
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op, const char* what_a,
                      const char* what_b) {
  TINT_CHECK(a.dtype() == b.dtype(), op, ": dtype mismatch, ", what_a, " is ",
             dtype_name(a.dtype()), " but ", what_b, " is ", dtype_name(b.dtype()));
}

void check_same_device(const Tensor& a, const Tensor& b, const char* op, const char* what_a,
                       const char* what_b) {
  TINT_CHECK(a.device() == b.device(), op, ": device mismatch, ", what_a, " is on ",
             a.device().str(), " but ", what_b, " is on ", b.device().str());
}

void check_same_shape(const Tensor& a, const Tensor& b, const char* op, const char* what_a,
                      const char* what_b) {
  TINT_CHECK(a.shape() == b.shape(), op, ": shape mismatch, ", what_a, " has shape ",
             shape_str(a.shape()), " but ", what_b, " has shape ", shape_str(b.shape()));
}

}  // namespace tint
