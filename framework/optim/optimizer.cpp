// The optimizer base: parameter list checks, zero_grad, the gradient checks every step()
// shares, and the validation of a saved state before an optimizer adopts it.
#include "framework/optim/optimizer.h"

#include <map>
#include <set>

#include "framework/autograd/grad_mode.h"
#include "framework/core/error.h"
#include "framework/optim/cuda/multi_tensor.h"
#include "framework/tensor/factories.h"

namespace tint {

Optimizer::Optimizer(NamedParameters params, double lr) : params_(std::move(params)), lr_(lr) {
  TINT_CHECK(lr >= 0, "optimizer: learning rate must be >= 0, got ", lr);
  std::set<std::string> seen;
  for (const auto& [name, p] : params_) {
    TINT_CHECK(seen.insert(name).second, "optimizer: parameter name '", name,
               "' appears twice; each parameter must have a unique name");
    TINT_CHECK(p.defined(), "optimizer: parameter '", name, "' is an undefined tensor");
    TINT_CHECK(is_floating(p.dtype()), "optimizer: parameter '", name, "' is ",
               dtype_name(p.dtype()), "; only float32/float64 tensors can be optimized");
  }
}

void Optimizer::zero_grad() {
  for (const auto& [name, p] : params_) p.zero_grad();
}

#if defined(TINT_WITH_CUDA)
cuda::MultiTensorStaging& Optimizer::gpu_staging() {
  if (!gpu_staging_) gpu_staging_ = cuda::make_multi_tensor_staging();
  return *gpu_staging_;
}
#endif

Tensor Optimizer::checked_grad(size_t i) const {
  const auto& [name, p] = params_[i];
  Tensor g = p.grad();
  if (!g.defined()) return g;
  TINT_CHECK(p.is_contiguous(), type_name(), ": parameter '", name,
             "' is not contiguous; parameters are updated in place and must be contiguous");
  TINT_CHECK(g.shape() == p.shape() && g.dtype() == p.dtype() && g.device() == p.device(),
             type_name(), ": the gradient of '", name, "' is ", describe(g),
             " but the parameter is ", describe(p));
  return g.contiguous();
}

std::vector<std::vector<Tensor>> Optimizer::parse_state(const StateDict& state,
                                                        const std::vector<StateSlot>& slots,
                                                        int64_t step_count) const {
  TINT_CHECK(step_count >= 0, type_name(), ".load_state: step count must be >= 0, got ",
             step_count);
  std::map<std::string, std::pair<size_t, size_t>> expected;  // key -> (param, slot)
  for (size_t i = 0; i < params_.size(); ++i)
    for (size_t s = 0; s < slots.size(); ++s)
      expected[params_[i].first + "." + slots[s].name] = {i, s};

  std::vector<std::vector<Tensor>> found(params_.size(), std::vector<Tensor>(slots.size()));
  for (const auto& [key, value] : state) {
    auto it = expected.find(key);
    if (it == expected.end()) {
      std::string slot_list;
      for (const StateSlot& s : slots) slot_list += (slot_list.empty() ? "" : ", ") + s.name;
      TINT_FAIL(type_name(), ".load_state: '", key,
                "' is not a state entry of this optimizer (expected <parameter name>.<slot> "
                "with slot one of: ", slot_list.empty() ? "(none)" : slot_list, ")");
    }
    const auto [i, s] = it->second;
    const auto& [name, p] = params_[i];
    TINT_CHECK(value.defined(), type_name(), ".load_state: '", key, "' is undefined");
    if (slots[s].is_step) {
      TINT_CHECK(value.numel() == 1, type_name(), ".load_state: '", key,
                 "' must hold one step count, but its shape is ", shape_str(value.shape()));
      const double step = value.item();
      TINT_CHECK(step >= 0, type_name(), ".load_state: '", key, "' is negative (", step, ")");
      found[i][s] = scalar_tensor(step, TensorOptions{}.with_dtype(DType::Int64));
    } else {
      TINT_CHECK(value.shape() == p.shape(), type_name(), ".load_state: '", key,
                 "' has shape ", shape_str(value.shape()), " but parameter '", name,
                 "' has shape ", shape_str(p.shape()));
      TINT_CHECK(is_floating(value.dtype()), type_name(), ".load_state: '", key, "' is ",
                 dtype_name(value.dtype()), ", expected a floating tensor");
      Tensor copy = Tensor::empty(p.shape(), p.dtype(), p.device());
      copy.copy_(value.detach());
      found[i][s] = copy;
    }
  }
  for (size_t i = 0; i < params_.size(); ++i) {
    size_t present = 0;
    for (const Tensor& t : found[i]) present += t.defined() ? 1 : 0;
    if (present == 0) {
      found[i].clear();
      continue;
    }
    for (size_t s = 0; s < slots.size(); ++s)
      TINT_CHECK(found[i][s].defined(), type_name(), ".load_state: the state has some entries "
                 "for parameter '", params_[i].first, "' but not '", params_[i].first, ".",
                 slots[s].name, "'");
  }
  return found;
}

}  // namespace tint
