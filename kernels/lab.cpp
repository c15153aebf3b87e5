// Public Lab conversions (kernels/lab.h): argument checks, contiguous inputs, and dispatch
// to the cpu loop or the CUDA kernel by device. No autograd node is recorded.
#include "kernels/lab.h"

#include "framework/core/error.h"
#include "framework/ops/dispatch.h"
#include "kernels/cpu/lab.h"
#if defined(TINT_WITH_CUDA)
#include "kernels/cuda/lab.h"
#endif

namespace tint::color {

namespace {

// A float (N, 3, H, W) tensor; `what` is "RGB" or "Lab".
void check_planar(const Tensor& t, const char* op, const char* what) {
  TINT_CHECK(t.defined(), op, ": the ", what, " input is an undefined tensor");
  TINT_CHECK(t.dim() == 4 && t.size(1) == 3, op, ": expected (N, 3, H, W) ", what, ", got shape ",
             shape_str(t.shape()));
  TINT_CHECK(is_floating(t.dtype()), op, ": expected float32 or float64 ", what, ", got ",
             dtype_name(t.dtype()),
             t.dtype() == DType::UInt8 ? " (uint8 images go through rgb8_to_lab)" : "");
}

}  // namespace

Tensor rgb_to_lab(const Tensor& rgb) {
  check_planar(rgb, "rgb_to_lab", "RGB");
  const Tensor in = rgb.detach().contiguous();
  Tensor out = Tensor::empty(in.shape(), in.dtype(), in.device());
  TINT_DEVICE_CALL_IN(::tint::color, out.device(), rgb_to_lab, out, in);
  return out;
}

Tensor lab_to_rgb(const Tensor& lab) {
  check_planar(lab, "lab_to_rgb", "Lab");
  const Tensor in = lab.detach().contiguous();
  Tensor out = Tensor::empty(in.shape(), in.dtype(), in.device());
  TINT_DEVICE_CALL_IN(::tint::color, out.device(), lab_to_rgb, out, in);
  return out;
}

Tensor rgb8_to_lab(const Tensor& image) {
  TINT_CHECK(image.defined(), "rgb8_to_lab: the image is an undefined tensor");
  TINT_CHECK((image.dim() == 3 || image.dim() == 4) && image.size(-1) == 3,
             "rgb8_to_lab: expected a (H, W, 3) or (N, H, W, 3) RGB image, got shape ",
             shape_str(image.shape()));
  TINT_CHECK(image.dtype() == DType::UInt8, "rgb8_to_lab: expected a uint8 image, got ",
             dtype_name(image.dtype()),
             is_floating(image.dtype()) ? " (float RGB goes through rgb_to_lab)" : "");
  const Tensor in = (image.dim() == 3 ? image.unsqueeze(0) : image).contiguous();
  Tensor out = Tensor::empty({in.size(0), 3, in.size(1), in.size(2)}, DType::Float32, in.device());
  TINT_DEVICE_CALL_IN(::tint::color, out.device(), rgb8_to_lab, out, in);
  return out;
}

Tensor lab_to_rgb8(const Tensor& lab) {
  check_planar(lab, "lab_to_rgb8", "Lab");
  const Tensor in = lab.detach().contiguous();
  Tensor out = Tensor::empty({in.size(0), in.size(2), in.size(3), 3}, DType::UInt8, in.device());
  TINT_DEVICE_CALL_IN(::tint::color, out.device(), lab_to_rgb8, out, in);
  return out;
}

}  // namespace tint::color
