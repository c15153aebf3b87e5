// Layout helpers of dense 4-D tensors (layout.h).
#include "framework/tensor/layout.h"

namespace tint {

Shape channels_last_strides(const Shape& s) {
  TINT_CHECK(s.size() == 4, "channels_last needs a 4-D shape (N, C, H, W), got ", shape_str(s));
  return {s[2] * s[3] * s[1], 1, s[3] * s[1], s[1]};
}

bool is_channels_last(const Tensor& t) {
  if (!t.defined() || t.dim() != 4) return false;
  const Shape& s = t.shape();
  const Shape& st = t.strides();
  // channels_last_strides(s), compared in place (this runs on every layout-aware op).
  const int64_t want[4] = {s[2] * s[3] * s[1], 1, s[3] * s[1], s[1]};
  for (size_t d = 0; d < 4; ++d)
    if (s[d] != 1 && st[d] != want[d]) return false;
  return true;
}

bool is_nhwc(const Tensor& t) { return t.defined() && !t.is_contiguous() && is_channels_last(t); }

Tensor empty_channels_last(const Shape& shape, DType dtype, Device device) {
  const Tensor flat = Tensor::empty({shape_numel(shape)}, dtype, device);
  return make_view(flat, shape, channels_last_strides(shape), 0);
}

Tensor empty_dense(const Shape& shape, DType dtype, Device device, bool channels_last) {
  return channels_last ? empty_channels_last(shape, dtype, device)
                       : Tensor::empty(shape, dtype, device);
}

Tensor empty_like_layout(const Tensor& t, DType dtype) {
  return empty_dense(t.shape(), dtype, t.device(), is_nhwc(t));
}

bool is_dense(const Tensor& t) { return t.is_contiguous() || is_channels_last(t); }

bool same_dense_order(const Tensor& a, const Tensor& b) {
  if (!is_dense(a) || !is_dense(b)) return false;
  for (size_t d = 0; d < a.shape().size(); ++d)
    if (a.shape()[d] > 1 && a.strides()[d] != b.strides()[d]) return false;
  return true;
}

Tensor channels_last_copy(const Tensor& t) {
  if (is_channels_last(t)) return t.detach();
  Tensor out = empty_channels_last(t.shape(), t.dtype(), t.device());
  out.copy_(t.detach());
  return out;
}

Tensor dense_copy(const Tensor& t, bool channels_last) {
  return channels_last ? channels_last_copy(t) : t.detach().contiguous();
}

Tensor dense_like(const Tensor& t, const Tensor& like) { return dense_copy(t, is_nhwc(like)); }

Tensor storage_order_view(const Tensor& t) {
  TINT_CHECK(is_dense(t), "storage_order_view: ", describe(t),
             " is neither contiguous nor channels_last");
  return make_view(t, {t.numel()}, {1}, t.offset());
}

}  // namespace tint
