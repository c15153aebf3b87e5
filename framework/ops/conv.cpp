// conv2d and conv_transpose2d: argument checks (PyTorch's rules, groups = 1), output sizes,
// dispatch to the cpu kernels and the backward rules. A transposed convolution is the
// backward-data pass of the conv2d that maps its output to its input, so both ops share one
// geometry description (math::ConvGeometry, seen from the image side) and one set of kernels:
//   conv2d:            y  = lower(x),  dx = lift(dy),  dW from (dy, im2col(x))
//   conv_transpose2d:  y  = lift(x),   dx = lower(dy), dW from (x, im2col(dy))
// Both nodes are coarse (one node per call, bias included), and their backward is not itself
// differentiable (no double backward). bfloat16 (input, weight and bias alike) runs natively
// on the GPU (cuDNN) and through float32 on the CPU (ops/mixed_precision.h). The options'
// channels_last (or a channels_last input) runs cuDNN in NHWC (tensor/layout.h).
#include "framework/ops/conv.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/ops/cpu/conv.h"
#include "framework/ops/cuda/conv.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/flop_counter.h"
#include "framework/ops/math/conv.h"
#include "framework/ops/mixed_precision.h"
#include "framework/tensor/layout.h"

namespace tint {

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

std::string pair_str(const Pair& p) {
  return detail::concat("(", p.h, ", ", p.w, ")");
}

// Checks shared by both ops: floating 4-D input and weight on one dtype and device, a
// weight without empty dims, a 1-D bias of out_channels, and the scalar options.
void check_common(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias,
                  int64_t out_channels_dim, const char* weight_layout, const Pair& stride,
                  const Pair& padding, const Pair& dilation) {
  check_floating(input, op, "the input");
  check_floating(weight, op, "the weight");
  TINT_CHECK(input.dim() == 4, op, ": the input must be 4-D (N, C, H, W), got shape ",
             shape_str(input.shape()));
  TINT_CHECK(weight.dim() == 4, op, ": the weight must be 4-D ", weight_layout, ", got shape ",
             shape_str(weight.shape()));
  check_same_dtype(input, weight, op, "the input", "the weight");
  check_same_device(input, weight, op, "the input", "the weight");
  for (int64_t d : weight.shape())
    TINT_CHECK(d > 0, op, ": the weight ", shape_str(weight.shape()), " has an empty dim");
  if (bias.defined()) {
    check_floating(bias, op, "the bias");
    check_same_dtype(input, bias, op, "the input", "the bias");
    check_same_device(input, bias, op, "the input", "the bias");
    const Shape& w = weight.shape();
    const int64_t out_channels = w[out_channels_dim];
    TINT_CHECK(bias.dim() == 1 && bias.shape()[0] == out_channels, op, ": bias shape ",
               shape_str(bias.shape()), " does not match the ", out_channels,
               " output channels of weight ", shape_str(w), " (expected [", out_channels, "])");
  }
  TINT_CHECK(stride.h > 0 && stride.w > 0, op, ": stride must be positive, got ", pair_str(stride));
  TINT_CHECK(dilation.h > 0 && dilation.w > 0, op, ": dilation must be positive, got ",
             pair_str(dilation));
  TINT_CHECK(padding.h >= 0 && padding.w >= 0, op, ": padding must be non-negative, got ",
             pair_str(padding));
}

// The layouts of one call (options.channels_last, framework/tensor/layout.h).
struct ConvLayout {
  bool nhwc = false;    // the output is channels_last
  bool cudnn = false;   // cuDNN computes in NHWC (CUDA); else NCHW, the output laid out after
  bool input_nhwc = false, weight_nhwc = false;  // as given: gradients come back so

  ConvLayout(bool asked, const Tensor& input, const Tensor& weight)
      : input_nhwc(is_nhwc(input)), weight_nhwc(is_nhwc(weight)) {
    nhwc = asked || input_nhwc;
    cudnn = nhwc && input.device().is_cuda();
  }
  // An operand as the kernels take it (detached).
  Tensor operand(const Tensor& t) const { return dense_copy(t, cudnn); }
  Tensor empty(const Shape& shape, DType dtype, Device device) const {
    return empty_dense(shape, dtype, device, cudnn);
  }
  // The kernels' output in the layout asked for.
  Tensor output(const Tensor& out) const {
    return nhwc && !cudnn ? channels_last_copy(out) : out;
  }
  // The gradients in the layouts of the input and weight as given.
  void restore_gradient_layouts(std::vector<Tensor>& r) const {
    for (int i : {0, 1})
      if (r[i].defined()) r[i] = dense_copy(r[i], i == 0 ? input_nhwc : weight_nhwc);
  }
};

}  // namespace

int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                         int64_t dilation) {
  TINT_CHECK(stride > 0 && dilation > 0 && kernel > 0 && padding >= 0,
             "conv_output_size: needs kernel, stride, dilation > 0 and padding >= 0, got "
             "kernel ",
             kernel, ", stride ", stride, ", padding ", padding, ", dilation ", dilation);
  return math::conv_out_extent(in, kernel, stride, padding, dilation);
}

int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t output_padding, int64_t dilation) {
  TINT_CHECK(stride > 0 && dilation > 0 && kernel > 0 && padding >= 0 && output_padding >= 0,
             "conv_transpose_output_size: needs kernel, stride, dilation > 0 and padding, "
             "output_padding >= 0, got kernel ",
             kernel, ", stride ", stride, ", padding ", padding, ", output_padding ",
             output_padding, ", dilation ", dilation);
  return math::conv_transpose_out_extent(in, kernel, stride, padding, output_padding, dilation);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv2dOptions& options) {
  const char* op = "conv2d";
  const Pair &s = options.stride, &p = options.padding, &d = options.dilation;
  check_common(op, input, weight, bias, /*out_channels_dim=*/0, "(C_out, C_in, kH, kW)", s, p, d);
  if (is_bfloat16(input) && !input.device().is_cuda())  // the CPU twin of cuDNN's bfloat16
    return through_float32(conv2d, input, weight, bias, options);
  const Shape& x = input.shape();
  const Shape& w = weight.shape();
  TINT_CHECK(x[1] == w[1], "conv2d: input has ", x[1], " channels but weight ", shape_str(w),
             " expects ", w[1], " (input shape ", shape_str(x), ")");

  math::ConvGeometry g;
  g.channels = x[1], g.height = x[2], g.width = x[3];
  g.kernel_h = w[2], g.kernel_w = w[3];
  g.stride_h = s.h, g.stride_w = s.w, g.pad_h = p.h, g.pad_w = p.w, g.dil_h = d.h, g.dil_w = d.w;
  g.out_h = conv_output_size(x[2], w[2], s.h, p.h, d.h);
  g.out_w = conv_output_size(x[3], w[3], s.w, p.w, d.w);
  TINT_CHECK(g.out_h > 0 && g.out_w > 0, "conv2d: input ", shape_str(x), " padded by ", pair_str(p),
             " is smaller than the kernel of weight ", shape_str(w), " dilated by ", pair_str(d),
             "; the output would be ", g.out_h, " x ", g.out_w);

  const ConvLayout layout(options.channels_last, input, weight);
  g.channels_last = layout.cudnn;
  const Tensor xc = layout.operand(input), wc = layout.operand(weight);
  const Tensor bc = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor out = layout.empty({x[0], w[0], g.out_h, g.out_w}, input.dtype(), input.device());
  if (FlopCounter* counter = active_flop_counter())
    counter->add(conv_flops(x[0], weight.numel(), g.out_h, g.out_w));
  TINT_DEVICE_CALL(out.device(), conv2d_forward, out, xc, wc, bc, g);
  return record(
      layout.output(out), "conv2d", {input, weight, bias},
      [xc, wc, g, layout](const Tensor& grad, const Needs& need) -> Grads {
        const Tensor gc = layout.operand(grad);
        Grads r(3);
        if (need[0]) r[0] = layout.empty(xc.shape(), xc.dtype(), xc.device());
        if (need[1]) r[1] = layout.empty(wc.shape(), wc.dtype(), wc.device());
        if (need[2]) r[2] = Tensor::empty({wc.shape()[0]}, wc.dtype(), wc.device());
        TINT_DEVICE_CALL(gc.device(), conv2d_backward, r[0], r[1], r[2], gc, xc, wc, g);
        layout.restore_gradient_layouts(r);
        return r;
      });
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose2dOptions& options) {
  const char* op = "conv_transpose2d";
  const Pair &s = options.stride, &p = options.padding, &d = options.dilation,
             &op_pad = options.output_padding;
  check_common(op, input, weight, bias, /*out_channels_dim=*/1, "(C_in, C_out, kH, kW)", s, p, d);
  if (is_bfloat16(input) && !input.device().is_cuda())  // the CPU twin of cuDNN's bfloat16
    return through_float32(conv_transpose2d, input, weight, bias, options);
  const Shape& x = input.shape();
  const Shape& w = weight.shape();
  TINT_CHECK(x[1] == w[0], "conv_transpose2d: input has ", x[1], " channels but weight ",
             shape_str(w), " expects ", w[0], " (input shape ", shape_str(x), ")");
  TINT_CHECK(op_pad.h >= 0 && op_pad.w >= 0,
             "conv_transpose2d: output_padding must be non-negative, got ", pair_str(op_pad));
  // PyTorch's rule: the extra rows must be reachable by some stride or dilation step.
  TINT_CHECK((op_pad.h < s.h || op_pad.h < d.h) && (op_pad.w < s.w || op_pad.w < d.w),
             "conv_transpose2d: output_padding ", pair_str(op_pad),
             " must be smaller than either stride ", pair_str(s), " or dilation ", pair_str(d));

  math::ConvGeometry g;
  g.channels = w[1];
  g.height = conv_transpose_output_size(x[2], w[2], s.h, p.h, op_pad.h, d.h);
  g.width = conv_transpose_output_size(x[3], w[3], s.w, p.w, op_pad.w, d.w);
  g.kernel_h = w[2], g.kernel_w = w[3];
  g.stride_h = s.h, g.stride_w = s.w, g.pad_h = p.h, g.pad_w = p.w, g.dil_h = d.h, g.dil_w = d.w;
  g.out_h = x[2], g.out_w = x[3];
  TINT_CHECK(g.height > 0 && g.width > 0, "conv_transpose2d: input ", shape_str(x), " with weight ",
             shape_str(w), ", stride ", pair_str(s), ", padding ", pair_str(p), ", output_padding ",
             pair_str(op_pad), " and dilation ", pair_str(d), " gives an empty output of ",
             g.height, " x ", g.width);

  const ConvLayout layout(options.channels_last, input, weight);
  g.channels_last = layout.cudnn;
  const Tensor xc = layout.operand(input), wc = layout.operand(weight);
  const Tensor bc = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor out = layout.empty({x[0], w[1], g.height, g.width}, input.dtype(), input.device());
  if (FlopCounter* counter = active_flop_counter())  // g.out_h x g.out_w: the input's H x W
    counter->add(conv_flops(x[0], weight.numel(), g.out_h, g.out_w));
  TINT_DEVICE_CALL(out.device(), conv_transpose2d_forward, out, xc, wc, bc, g);
  return record(
      layout.output(out), "conv_transpose2d", {input, weight, bias},
      [xc, wc, g, layout](const Tensor& grad, const Needs& need) -> Grads {
        const Tensor gc = layout.operand(grad);
        Grads r(3);
        if (need[0]) r[0] = layout.empty(xc.shape(), xc.dtype(), xc.device());
        if (need[1]) r[1] = layout.empty(wc.shape(), wc.dtype(), wc.device());
        if (need[2]) r[2] = Tensor::empty({wc.shape()[1]}, wc.dtype(), wc.device());
        TINT_DEVICE_CALL(gc.device(), conv_transpose2d_backward, r[0], r[1], r[2], gc, xc, wc, g);
        layout.restore_gradient_layouts(r);
        return r;
      });
}

std::vector<std::string> conv_algorithm_choices() {
#if defined(TINT_WITH_CUDA)
  return cuda::conv_algorithm_choices();
#else
  return {};
#endif
}

}  // namespace tint
