// Module: a layer or network with named parameters, buffers and child modules. Names follow
// PyTorch's state_dict ("model1.0.weight", "model1.4.running_mean") so weights move between
// tint and PyTorch unchanged.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/io/safetensors.h"
#include "framework/optim/optimizer.h"
#include "framework/tensor/tensor.h"

namespace tint::nn {

// Parameters, buffers and children are registered in the constructor; layers keep Tensor
// handles to their own parameters. Those handles (and an optimizer's) stay valid across
// load_state_dict and to(), which change values and storage in place, never the tensor.
class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  virtual Tensor forward(const Tensor& input) = 0;
  Tensor operator()(const Tensor& input) { return forward(input); }

  // Recursive, in registration order, names joined with '.'. A tensor registered under two
  // names (shared weights) is listed once, under its first name, as in PyTorch.
  NamedParameters named_parameters() const;
  std::vector<Tensor> parameters() const;
  NamedParameters named_buffers() const;
  StateDict state_dict() const;  // parameters and buffers (live tensors, not copies)
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  // Copies values in; an unknown or missing key, or a shape mismatch, is a tint::Error
  // naming the key and both shapes (strict = false ignores unknown and missing keys).
  // Floating values are converted to the model's floating dtype, integer values to its
  // integer dtype; floating into integer (or back) is an error. Everything is checked
  // before anything is copied, so a failed load leaves the model unchanged. A floating
  // value holding NaN or +-inf is refused too (check_finite_state), so a diverged or damaged
  // file cannot turn into a model that silently outputs NaN.
  void load_state_dict(const StateDict& state, bool strict = true);
  int64_t parameter_count() const;  // elements in all parameters (buffers not counted)

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();  // drops every parameter's gradient
  // Moves parameters and buffers (keeping their identity as leaves) to device/dtype: each
  // tensor's storage is replaced in place, so every handle to it sees the new data. dtype
  // applies to floating tensors only (num_batches_tracked stays int64), as in PyTorch.
  // Create optimizers after to(): state they already hold is not moved.
  void to(Device device);
  void to(DType dtype);

 protected:
  // Register under a name that must be non-empty, contain no '.', and be new in this module;
  // a tint::Error otherwise. A parameter is detached and marked as requiring grad. The
  // returned reference is only valid until the next registration: keep a copy of the handle.
  Tensor& register_parameter(const std::string& name, Tensor value);
  Tensor& register_buffer(const std::string& name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    check_new_name(name, module != nullptr);
    children_.emplace_back(name, module);
    return module;
  }
  virtual void on_train_changed() {}
  void check_new_name(const std::string& name, bool defined) const;

  friend struct ModuleAccess;
  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

using ModulePtr = std::shared_ptr<Module>;

// A tint::Error "tensor '<name>' holds NaN (element i of n): ..." for the first floating
// tensor of state (any device) with a NaN or infinite element; integer tensors pass.
void check_finite_state(const StateDict& state);

}  // namespace tint::nn
