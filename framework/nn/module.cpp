// Module bookkeeping: registration, recursive naming (PyTorch's state_dict keys), checked
// state loading, train/eval, and moving tensors between devices and dtypes in place.
#include "framework/nn/module.h"

#include <cmath>
#include <functional>
#include <set>

#include "framework/autograd/grad_mode.h"
#include "framework/core/bfloat16.h"
#include "framework/core/error.h"

namespace tint::nn {

namespace {

// Calls fn(full name, tensor) for every parameter (or buffer, per own_of) of m and its
// children, in registration order: own tensors first, then each child's, as PyTorch.
using TensorList = std::vector<std::pair<std::string, Tensor>>;
using OwnList = const TensorList& (*)(const Module&);

void walk(const Module& m, const std::string& prefix, OwnList own_of,
          const std::function<void(const std::string&, const Tensor&)>& fn) {
  for (const auto& [name, t] : own_of(m)) fn(prefix + name, t);
  for (const auto& [name, child] : m.named_children())
    walk(*child, prefix + name + ".", own_of, fn);
}

// Replaces t's storage with converted's, keeping the TensorImpl (and so every handle).
void adopt_storage(const Tensor& t, const Tensor& converted) {
  const Tensor c = converted.contiguous();
  TensorImpl& impl = *t.impl();
  impl.storage = c.impl()->storage;
  impl.offset = c.offset();
  impl.strides = c.strides();
  impl.shape = c.shape();
  impl.dtype = c.dtype();
}

// The index and value of t's first NaN or infinite element, or index -1.
template <typename T>
std::pair<int64_t, double> first_non_finite(const T* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(static_cast<float>(p[i]));
    if (!std::isfinite(v)) return {i, v};
  }
  return {-1, 0.0};
}
template <>
std::pair<int64_t, double> first_non_finite(const double* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return {i, p[i]};
  return {-1, 0.0};
}

}  // namespace

void check_finite_state(const StateDict& state) {
  for (const auto& [name, value] : state) {
    if (!value.defined() || !is_floating(value.dtype()) || value.numel() == 0) continue;
    const Tensor host = value.detach().cpu().contiguous();
    std::pair<int64_t, double> bad{-1, 0.0};
    switch (host.dtype()) {
      case DType::Float32: bad = first_non_finite(host.data<float>(), host.numel()); break;
      case DType::Float64: bad = first_non_finite(host.data<double>(), host.numel()); break;
      case DType::BFloat16: bad = first_non_finite(host.data<bfloat16>(), host.numel()); break;
      default: break;
    }
    TINT_CHECK(bad.first < 0, "tensor '", name, "' holds ",
               std::isnan(bad.second) ? "NaN" : bad.second > 0 ? "+inf" : "-inf", " (element ",
               bad.first, " of ", host.numel(),
               "): the weights are damaged or come from a run that diverged");
  }
}

// Access to a module's own lists from the free walker without widening the public API.
struct ModuleAccess {
  static const std::vector<std::pair<std::string, Tensor>>& params(const Module& m) {
    return m.params_;
  }
  static const std::vector<std::pair<std::string, Tensor>>& buffers(const Module& m) {
    return m.buffers_;
  }
};

void Module::check_new_name(const std::string& name, bool defined) const {
  TINT_CHECK(!name.empty() && name.find('.') == std::string::npos,
             "module: cannot register '", name, "': names must be non-empty and contain no '.'");
  TINT_CHECK(defined, "module: cannot register '", name, "': the value is undefined");
  auto taken = [&](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  TINT_CHECK(!taken(params_) && !taken(buffers_) && !taken(children_), "module: '", name,
             "' is already registered in this module");
}

Tensor& Module::register_parameter(const std::string& name, Tensor value) {
  check_new_name(name, value.defined());
  Tensor leaf = value.detach();
  leaf.set_requires_grad(true);
  params_.emplace_back(name, leaf);
  return params_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor value) {
  check_new_name(name, value.defined());
  buffers_.emplace_back(name, value.detach());
  return buffers_.back().second;
}

NamedParameters Module::named_parameters() const {
  NamedParameters out;
  std::set<const TensorImpl*> seen;
  walk(*this, "", &ModuleAccess::params, [&](const std::string& name, const Tensor& t) {
         if (seen.insert(t.impl().get()).second) out.emplace_back(name, t);
       });
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

NamedParameters Module::named_buffers() const {
  NamedParameters out;
  std::set<const TensorImpl*> seen;
  walk(*this, "", &ModuleAccess::buffers, [&](const std::string& name, const Tensor& t) {
         if (seen.insert(t.impl().get()).second) out.emplace_back(name, t);
       });
  return out;
}

StateDict Module::state_dict() const {
  StateDict out;
  auto add = [&](const std::string& name, const Tensor& t) { out[name] = t.detach(); };
  walk(*this, "", &ModuleAccess::params, add);
  walk(*this, "", &ModuleAccess::buffers, add);
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  // The model's own tensors (not detached views): values are copied into their storage.
  std::map<std::string, Tensor> own;
  auto add = [&](const std::string& name, const Tensor& t) { own[name] = t; };
  walk(*this, "", &ModuleAccess::params, add);
  walk(*this, "", &ModuleAccess::buffers, add);

  if (strict) {
    for (const auto& [key, value] : state)
      TINT_CHECK(own.count(key), "load_state_dict: '", key,
                 "' is not a parameter or buffer of the model (it has ", own.size(),
                 " entries, e.g. '", own.empty() ? std::string() : own.begin()->first, "')");
    for (const auto& [key, t] : own)
      TINT_CHECK(state.count(key), "load_state_dict: '", key,
                 "' is missing from the state dict (the model expects ", describe(t), ")");
  }
  std::vector<std::pair<Tensor, Tensor>> copies;
  StateDict used;  // the entries copied in
  for (const auto& [key, value] : state) {
    auto it = own.find(key);
    if (it == own.end()) continue;
    const Tensor& dst = it->second;
    TINT_CHECK(value.defined(), "load_state_dict: '", key, "' is an undefined tensor");
    TINT_CHECK(value.shape() == dst.shape(), "load_state_dict: '", key, "' has shape ",
               shape_str(value.shape()), " in the state dict but ", shape_str(dst.shape()),
               " in the model");
    TINT_CHECK(is_floating(value.dtype()) == is_floating(dst.dtype()), "load_state_dict: '",
               key, "' is ", dtype_name(value.dtype()), " in the state dict but ",
               dtype_name(dst.dtype()), " in the model");
    copies.emplace_back(dst, value);
    used[key] = value;
  }
  try {
    check_finite_state(used);
  } catch (const Error& e) {
    throw Error(std::string("load_state_dict: ") + e.what());
  }
  NoGradGuard no_grad;
  for (auto& [dst, value] : copies) {
    Tensor target = dst;
    target.copy_(value.detach());
  }
}

int64_t Module::parameter_count() const {
  int64_t n = 0;
  for (const auto& [name, t] : named_parameters()) n += t.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  on_train_changed();
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (const auto& [name, t] : named_parameters()) t.zero_grad();
}

namespace {

void convert_all(const Module& m, const std::function<Tensor(const Tensor&)>& convert) {
  NoGradGuard no_grad;
  std::set<const TensorImpl*> seen;
  auto apply = [&](const std::string&, const Tensor& t) {
    if (!seen.insert(t.impl().get()).second) return;
    const Tensor grad = t.grad();
    adopt_storage(t, convert(t.detach()));
    if (grad.defined()) t.set_grad(convert(grad.detach()).contiguous());
  };
  walk(m, "", &ModuleAccess::params, apply);
  walk(m, "", &ModuleAccess::buffers, apply);
}

}  // namespace

void Module::to(Device device) {
  convert_all(*this, [device](const Tensor& t) { return t.to(device); });
}

void Module::to(DType dtype) {
  TINT_CHECK(is_floating(dtype), "Module::to: expected a floating dtype (float32 or float64), "
             "got ", dtype_name(dtype));
  convert_all(*this, [dtype](const Tensor& t) {
    return is_floating(t.dtype()) ? t.to(dtype) : t;
  });
}

}  // namespace tint::nn
