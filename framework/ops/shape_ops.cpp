// cat, pad, cast and to_channels_last: each a copy into (or out of) a strided view, so the
// forward and the backward share one mechanism.
#include "framework/ops/shape_ops.h"

#include "framework/autograd/node.h"
#include "framework/ops/checks.h"
#include "framework/tensor/factories.h"
#include "framework/tensor/layout.h"

namespace tint {

namespace {
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

// The region of a padded tensor that the input fills, and the region of the input that
// survives cropping, per dim.
struct PadRegions {
  Shape out_shape;
  std::vector<int64_t> src_begin, dst_begin, len;
};

PadRegions pad_regions(const Shape& in, const std::vector<int64_t>& pads) {
  TINT_CHECK(pads.size() % 2 == 0 && pads.size() / 2 <= in.size(), "pad: ", pads.size(),
             " padding amounts given for a tensor of rank ", in.size(),
             " (expected pairs, at most two per dim)");
  PadRegions r;
  r.out_shape = in;
  const size_t rank = in.size();
  r.src_begin.assign(rank, 0);
  r.dst_begin.assign(rank, 0);
  r.len = in;
  for (size_t k = 0; k < pads.size() / 2; ++k) {
    const size_t d = rank - 1 - k;
    const int64_t before = pads[2 * k], after = pads[2 * k + 1];
    r.out_shape[d] = in[d] + before + after;
    TINT_CHECK(r.out_shape[d] >= 0, "pad: padding (", before, ", ", after, ") makes dim ", d,
               " of shape ", shape_str(in), " negative");
    r.src_begin[d] = before < 0 ? -before : 0;
    r.dst_begin[d] = before > 0 ? before : 0;
    r.len[d] = std::max<int64_t>(0, in[d] - r.src_begin[d] - (after < 0 ? -after : 0));
  }
  return r;
}

Tensor region(Tensor t, const std::vector<int64_t>& begin, const Shape& len) {
  for (size_t d = 0; d < len.size(); ++d)
    t = t.slice(static_cast<int64_t>(d), begin[d], begin[d] + len[d]);
  return t;
}
}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  TINT_CHECK(!tensors.empty(), "cat: no tensors given");
  const Tensor& first = tensors[0];
  check_defined(first, "cat", "tensor 0");
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    check_defined(t, "cat", "an input");
    check_same_dtype(first, t, "cat", "tensor 0", "another tensor");
    check_same_device(first, t, "cat", "tensor 0", "another tensor");
    TINT_CHECK(t.dim() == first.dim(), "cat: tensor ", i, " has shape ", shape_str(t.shape()),
               " but tensor 0 has shape ", shape_str(first.shape()));
    for (int64_t k = 0; k < t.dim(); ++k)
      TINT_CHECK(k == d || t.shape()[k] == first.shape()[k], "cat: tensor ", i, " has shape ",
                 shape_str(t.shape()), " but tensor 0 has shape ", shape_str(first.shape()),
                 "; they may differ only in dim ", d);
    out_shape[d] += t.shape()[d];
    inputs.push_back(t);
  }
  Tensor out = Tensor::empty(out_shape, first.dtype(), first.device());
  std::vector<int64_t> starts;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    starts.push_back(offset);
    out.slice(d, offset, offset + t.shape()[d]).copy_(t);
    offset += t.shape()[d];
  }
  std::vector<int64_t> lengths;
  for (const Tensor& t : tensors) lengths.push_back(t.shape()[d]);
  return record(out, "cat", inputs, [d, starts, lengths](const Tensor& g, const Needs& n) {
    Grads r(starts.size());
    for (size_t i = 0; i < starts.size(); ++i)
      if (n[i]) r[i] = g.slice(d, starts[i], starts[i] + lengths[i]).contiguous();
    return r;
  });
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  check_defined(x, "pad", "the input");
  const PadRegions r = pad_regions(x.shape(), pads);
  Tensor out = full(r.out_shape, value, options_of(x));
  region(out, r.dst_begin, r.len).copy_(region(x.detach(), r.src_begin, r.len));
  return record(out, "pad", {x}, [r, in_shape = x.shape()](const Tensor& g, const Needs&) {
    Tensor gi = zeros(in_shape, options_of(g));
    region(gi, r.src_begin, r.len).copy_(region(g, r.dst_begin, r.len));
    return Grads{gi};
  });
}

Tensor to_channels_last(const Tensor& x) {
  check_defined(x, "to_channels_last", "the input");
  TINT_CHECK(x.dim() == 4, "to_channels_last: the input must be 4-D (N, C, H, W), got shape ",
             shape_str(x.shape()));
  if (is_channels_last(x)) return x;
  return record(channels_last_copy(x), "to_channels_last", {x},
                [](const Tensor& g, const Needs&) { return Grads{g.contiguous()}; });
}

Tensor cast(const Tensor& x, DType dtype) {
  check_defined(x, "cast", "the input");
  Tensor out = empty_like_layout(x, dtype);  // a channels_last tensor stays one
  out.copy_(x);
  if (!is_floating(dtype) || !is_floating(x.dtype())) return out;
  return record(out, "cast", {x}, [from = x.dtype()](const Tensor& g, const Needs&) {
    return Grads{cast(g, from)};
  });
}

Tensor cast_channels_last(const Tensor& x, DType dtype) {
  check_defined(x, "cast_channels_last", "the input");
  TINT_CHECK(x.dim() == 4, "cast_channels_last: the input must be 4-D (N, C, H, W), got shape ",
             shape_str(x.shape()));
  Tensor out = empty_channels_last(x.shape(), dtype, x.device());
  out.copy_(x);  // one strided copy converts both
  if (!is_floating(dtype) || !is_floating(x.dtype())) return out;
  return record(out, "cast_channels_last", {x},
                [from = x.dtype(), nhwc = is_nhwc(x)](const Tensor& g, const Needs&) {
                  Tensor r = empty_dense(g.shape(), from, g.device(), nhwc);
                  r.copy_(g);
                  return Grads{r};
                });
}

}  // namespace tint
