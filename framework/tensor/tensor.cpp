// Tensor accessors, views with their backward rules, conversions, and the in-place helpers
// used by optimizers and gradient accumulation.
#include "framework/tensor/tensor.h"

#include <algorithm>
#include <numeric>

#include "framework/autograd/engine.h"
#include "framework/autograd/grad_mode.h"
#include "framework/autograd/node.h"
#include "framework/ops/cpu/copy.h"
#include "framework/ops/cuda/copy.h"
#include "framework/ops/cpu/fill.h"
#include "framework/ops/cuda/fill.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/elementwise.h"
#include "framework/ops/shape_ops.h"
#include "framework/tensor/factories.h"
#include "framework/tensor/layout.h"

namespace tint {

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape)
    TINT_CHECK(s >= 0, "empty: shape ", shape_str(shape), " has a negative size");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype),
                                    device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

const TensorImpl& Tensor::checked() const {
  TINT_CHECK(impl_ != nullptr, "use of an undefined tensor");
  return *impl_;
}

const Shape& Tensor::shape() const { return checked().shape; }
const Shape& Tensor::strides() const { return checked().strides; }
DType Tensor::dtype() const { return checked().dtype; }
Device Tensor::device() const { return checked().storage->device(); }
int64_t Tensor::offset() const { return checked().offset; }

int64_t Tensor::size(int64_t d) const {
  return shape()[static_cast<size_t>(wrap_dim(d, this->dim(), "size"))];
}

bool Tensor::is_contiguous() const {
  const TensorImpl& t = checked();
  int64_t expected = 1;
  for (size_t i = t.shape.size(); i-- > 0;) {
    if (t.shape[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

void* Tensor::raw_data() const {
  const TensorImpl& t = checked();
  return static_cast<char*>(t.storage->data()) + t.offset * dtype_size(t.dtype);
}

template <typename T>
T* Tensor::data() const {
  TINT_CHECK(dtype() == dtype_of<T>, "data<", dtype_name(dtype_of<T>), ">() on a ",
             dtype_name(dtype()), " tensor");
  TINT_CHECK(device().is_cpu(), "data(): the tensor is on ", device().str(),
             "; copy it to the cpu first");
  return static_cast<T*>(raw_data());
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template int32_t* Tensor::data<int32_t>() const;
template int64_t* Tensor::data<int64_t>() const;
template uint8_t* Tensor::data<uint8_t>() const;
template bfloat16* Tensor::data<bfloat16>() const;

template <typename T>
std::vector<T> Tensor::to_vector() const {
  const Tensor host = cpu().contiguous();
  std::vector<T> out(static_cast<size_t>(host.numel()));
  TINT_DISPATCH_STORAGE(host.dtype(), "to_vector", [&] {
    const scalar_t* p = host.data<scalar_t>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(p[i]);
  });
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;
template std::vector<bfloat16> Tensor::to_vector<bfloat16>() const;

double Tensor::item() const {
  TINT_CHECK(numel() == 1, "item(): the tensor must hold exactly one element, but its shape is ",
             shape_str(shape()));
  return to_vector<double>()[0];
}

Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->offset = offset;
  impl->shape = shape;
  impl->strides = strides;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

std::string describe(const Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  return std::string(dtype_name(t.dtype())) + shape_str(t.shape()) + " on " + t.device().str();
}

Tensor Tensor::reshape(const Shape& requested) const {
  Shape shape = requested;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      TINT_CHECK(infer < 0, "reshape: more than one -1 in ", shape_str(requested));
      infer = static_cast<int64_t>(i);
    } else {
      TINT_CHECK(shape[i] >= 0, "reshape: invalid size in ", shape_str(requested));
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    TINT_CHECK(known > 0 && numel() % known == 0, "reshape: cannot reshape ",
               shape_str(this->shape()), " into ", shape_str(requested));
    shape[infer] = numel() / known;
  }
  TINT_CHECK(shape_numel(shape) == numel(), "reshape: cannot reshape ", shape_str(this->shape()),
             " (", numel(), " elements) into ", shape_str(requested));
  const Tensor base = contiguous();
  Tensor out = make_view(base, shape, contiguous_strides(shape), base.offset());
  const Shape in_shape = this->shape();
  return record(out, "reshape", {*this},
                [in_shape](const Tensor& g, const std::vector<bool>&) -> std::vector<Tensor> {
                  return {g.reshape(in_shape)};
                });
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  d = wrap_dim(d, dim(), "slice");
  TINT_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = shape()[d];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = this->shape(), strides = this->strides();
  shape[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  Tensor out = make_view(*this, shape, strides, offset() + start * this->strides()[d]);
  const Shape in_shape = this->shape();
  return record(out, "slice", {*this},
                [=](const Tensor& g, const std::vector<bool>&) -> std::vector<Tensor> {
                  Tensor full_grad = zeros(in_shape, options_of(g));
                  full_grad.slice(d, start, end, step).copy_(g);
                  return {full_grad};
                });
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  TINT_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: ", dims.size(),
             " dims given for a tensor of rank ", dim());
  Shape shape(dims.size()), strides(dims.size());
  std::vector<int64_t> inverse(dims.size(), -1);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t src = wrap_dim(dims[i], dim(), "permute");
    TINT_CHECK(inverse[src] < 0, "permute: dim ", src, " repeated");
    inverse[src] = static_cast<int64_t>(i);
    shape[i] = this->shape()[src];
    strides[i] = this->strides()[src];
  }
  Tensor out = make_view(*this, shape, strides, offset());
  return record(out, "permute", {*this},
                [inverse](const Tensor& g, const std::vector<bool>&) -> std::vector<Tensor> {
                  return {g.permute(inverse)};
                });
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  std::vector<int64_t> dims(static_cast<size_t>(dim()));
  std::iota(dims.begin(), dims.end(), 0);
  std::swap(dims[wrap_dim(d0, dim(), "transpose")], dims[wrap_dim(d1, dim(), "transpose")]);
  return permute(dims);
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape shape = this->shape();
  shape.insert(shape.begin() + d, 1);
  return reshape(shape);
}

Tensor Tensor::squeeze(int64_t d) const {
  d = wrap_dim(d, dim(), "squeeze");
  TINT_CHECK(shape()[d] == 1, "squeeze: dim ", d, " of shape ", shape_str(shape()),
             " is not of size 1");
  Shape shape = this->shape();
  shape.erase(shape.begin() + d);
  return reshape(shape);
}

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(shape(), dtype(), device());
  TINT_DEVICE_CALL(device(), copy_strided, out, *this);
  return record(out, "clone", {*this},
                [](const Tensor& g, const std::vector<bool>&) -> std::vector<Tensor> {
                  return {g};
                });
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::to(DType dtype) const { return dtype == this->dtype() ? *this : cast(*this, dtype); }

Tensor Tensor::to(Device device) const {
  if (device == this->device()) return *this;
  // A channels_last tensor keeps its layout (its storage travels as it is); any other
  // arrives contiguous.
  const bool nhwc = is_nhwc(*this);
  const Tensor src = nhwc ? *this : contiguous();
  Tensor out = empty_dense(shape(), dtype(), device, nhwc);
  copy_bytes(out.raw_data(), device, src.raw_data(), src.device(), src.nbytes());
  const Device from = this->device();
  return record(out, "to_device", {*this},
                [from](const Tensor& g, const std::vector<bool>&) -> std::vector<Tensor> {
                  return {g.to(from)};
                });
}

Tensor Tensor::to(Device device, DType dtype) const { return to(device).to(dtype); }

bool Tensor::requires_grad() const { return checked().requires_grad; }

Tensor& Tensor::set_requires_grad(bool value) {
  TINT_CHECK(!value || is_floating(dtype()), "set_requires_grad: only float32/float64 tensors "
             "can require gradients, this one is ", dtype_name(dtype()));
  TINT_CHECK(is_leaf(), "set_requires_grad: only leaf tensors (without history) can be "
             "marked; use detach() first");
  impl_->requires_grad = value;
  return *this;
}

Tensor Tensor::grad() const {
  const TensorImpl& t = checked();
  return t.grad ? Tensor(t.grad) : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  TINT_CHECK(!grad.defined() || grad.shape() == shape(), "set_grad: gradient shape ",
             shape_str(grad.shape()), " does not match tensor shape ", shape_str(shape()));
  impl_->grad = grad.defined() ? grad.impl() : nullptr;
}

void Tensor::zero_grad() const { checked(); impl_->grad = nullptr; }
bool Tensor::is_leaf() const { return checked().grad_fn == nullptr; }
std::shared_ptr<Node> Tensor::grad_fn() const { return checked().grad_fn; }

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  run_backward(*this, gradient, retain_graph);
}

Tensor Tensor::detach() const { return make_view(*this, shape(), strides(), offset()); }

Tensor& Tensor::copy_(const Tensor& src) {
  TINT_CHECK(src.shape() == shape(), "copy_: source shape ", shape_str(src.shape()),
             " does not match destination shape ", shape_str(shape()));
  const Tensor staged = src.device() == device() ? src : src.to(device());
  // Two dense tensors of the same storage order (both contiguous, both channels_last:
  // layout.h) copy in one flat pass instead of walking both through their strides.
  if (same_dense_order(*this, staged)) {
    TINT_DEVICE_CALL(device(), copy_strided, storage_order_view(*this),
                     storage_order_view(staged));
    return *this;
  }
  TINT_DEVICE_CALL(device(), copy_strided, *this, staged);
  return *this;
}

Tensor& Tensor::fill_(double value) {
  if (!is_contiguous()) return copy_(full(shape(), value, options_of(*this)));
  TINT_DEVICE_CALL(device(), fill_contiguous, *this, value);
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  NoGradGuard no_grad;
  return copy_(alpha == 1.0 ? add(*this, other) : add(*this, mul(other, alpha)));
}

Tensor& Tensor::mul_(double value) {
  NoGradGuard no_grad;
  return copy_(mul(*this, value));
}

}  // namespace tint
