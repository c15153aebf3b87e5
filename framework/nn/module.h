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

class Module {
 public:
  virtual ~Module() = default;
  virtual Tensor forward(const Tensor& input) = 0;
  Tensor operator()(const Tensor& input) { return forward(input); }

  // Recursive, in registration order, names joined with '.'.
  NamedParameters named_parameters() const;
  std::vector<Tensor> parameters() const;
  NamedParameters named_buffers() const;
  StateDict state_dict() const;  // parameters and buffers
  // Copies values in; an unknown or missing key, or a shape mismatch, is a tint::Error
  // naming the key and both shapes (strict = false ignores unknown and missing keys).
  void load_state_dict(const StateDict& state, bool strict = true);
  int64_t parameter_count() const;

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();
  // Moves parameters and buffers (keeping their identity as leaves) to device/dtype.
  void to(Device device);
  void to(DType dtype);

 protected:
  Tensor& register_parameter(const std::string& name, Tensor value);
  Tensor& register_buffer(const std::string& name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    children_.emplace_back(name, module);
    return module;
  }
  virtual void on_train_changed() {}

  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

using ModulePtr = std::shared_ptr<Module>;

}  // namespace tint::nn
