// Tensor: a reference-counted handle to a strided view (shape, strides, offset) of a Storage,
// with the autograd state (requires_grad, grad, grad_fn). Copying a Tensor copies the handle,
// not the data. Most ops expect contiguous inputs and make them so themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "framework/core/device.h"
#include "framework/core/dtype.h"
#include "framework/core/shape.h"
#include "framework/memory/storage.h"

namespace tint {

struct Node;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Shape strides;  // in elements
  DType dtype = DType::Float32;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Uninitialised contiguous tensor.
  static Tensor empty(const Shape& shape, DType dtype = DType::Float32,
                      Device device = Device::cpu());

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t dim) const;  // negative dims count from the end
  int64_t numel() const { return shape_numel(shape()); }
  DType dtype() const;
  Device device() const;
  int64_t offset() const;
  bool is_contiguous() const;
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }

  // Raw element pointer at the view's offset (any device).
  void* raw_data() const;
  // Typed host pointer; a tint::Error if T is not the dtype or the tensor is not on the cpu.
  template <typename T> T* data() const;
  // Typed pointer on any device (for kernel launches); checks the dtype only.
  template <typename T> T* data_ptr() const {
    TINT_CHECK(dtype() == dtype_of<std::remove_const_t<T>>, "data_ptr<",
               dtype_name(dtype_of<std::remove_const_t<T>>), ">() on a ", dtype_name(dtype()),
               " tensor");
    return static_cast<T*>(raw_data());
  }
  // The single element of a one-element tensor, as double (copied to the host if needed).
  double item() const;
  template <typename T> T item() const { return static_cast<T>(item()); }
  // All elements in row-major order, converted to T (host copy).
  template <typename T> std::vector<T> to_vector() const;

  // Views (share storage; differentiable).
  Tensor reshape(const Shape& shape) const;  // one dim may be -1; copies if not contiguous
  Tensor view(const Shape& shape) const { return reshape(shape); }
  Tensor flatten() const { return reshape({-1}); }
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze(int64_t dim) const;
  Tensor contiguous() const;  // itself when already contiguous
  Tensor clone() const;       // a contiguous, differentiable copy

  // Conversions (differentiable between floating dtypes; a no-op returns itself).
  Tensor to(Device device) const;
  Tensor to(DType dtype) const;
  Tensor to(Device device, DType dtype) const;
  Tensor cpu() const { return to(Device::cpu()); }

  // Autograd.
  bool requires_grad() const;
  // Marks a leaf as requiring a gradient; a tint::Error on a non-floating tensor.
  Tensor& set_requires_grad(bool value = true);
  Tensor grad() const;  // undefined until a backward reaches it
  void set_grad(const Tensor& grad) const;
  void zero_grad() const;  // drops the gradient
  bool is_leaf() const;
  std::shared_ptr<Node> grad_fn() const;
  // Backpropagates from this tensor. Without a gradient the tensor must hold one element.
  // The graph's saved tensors are freed unless retain_graph; a second backward through a
  // freed graph is a tint::Error.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  // Same data, no history.
  Tensor detach() const;

  // In-place, never recorded by autograd (for optimizers and gradient accumulation).
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(double value);
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& mul_(double value);

  std::string str(int64_t max_per_dim = 6) const;
  bool same(const Tensor& other) const { return impl_ == other.impl_; }
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  const TensorImpl& checked() const;
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// A view onto the same storage with the given geometry (no autograd).
Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset);

// Human-readable "float32[2, 3] on cpu" for messages.
std::string describe(const Tensor& t);

}  // namespace tint
