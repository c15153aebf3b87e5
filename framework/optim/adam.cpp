// Adam / AdamW step and state: the step-dependent factors are computed per parameter in
// double (as PyTorch's Python floats), then a host loop applies optim_math::adam_update.
#include "framework/optim/adam.h"

#include <cmath>

#include "framework/autograd/grad_mode.h"
#include "framework/ops/op_profile.h"
#include "framework/optim/cuda/multi_tensor.h"
#include "framework/optim/math/adam.h"
#include "framework/tensor/factories.h"

namespace tint {

namespace {

AdamOptions from_adamw(const AdamWOptions& o) {
  return {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay};
}

// Outside the dispatch macro: a #pragma cannot sit inside a macro argument.
template <typename T>
void adam_loop(T* p, const T* g, T* m, T* v, int64_t n, const optim_math::AdamCoefficients<T>& c) {
#pragma omp parallel for if (n > (1 << 16))
  for (int64_t k = 0; k < n; ++k) optim_math::adam_update(p[k], g[k], m[k], v[k], c);
}

}  // namespace

Adam::Adam(NamedParameters params, AdamOptions options) : Adam(std::move(params), options, false) {}

Adam::Adam(NamedParameters params, AdamOptions options, bool decoupled)
    : Optimizer(std::move(params), options.lr), options_(options), decoupled_(decoupled) {
  const char* name = decoupled ? "AdamW" : "Adam";
  TINT_CHECK(options.beta1 >= 0 && options.beta1 < 1, name, ": beta1 must be in [0, 1), got ",
             options.beta1);
  TINT_CHECK(options.beta2 >= 0 && options.beta2 < 1, name, ": beta2 must be in [0, 1), got ",
             options.beta2);
  TINT_CHECK(options.eps >= 0, name, ": eps must be >= 0, got ", options.eps);
  TINT_CHECK(options.weight_decay >= 0, name, ": weight_decay must be >= 0, got ",
             options.weight_decay);
  state_.resize(params_.size());
}

AdamW::AdamW(NamedParameters params, AdamWOptions options)
    : Adam(std::move(params), from_adamw(options), true) {}

void Adam::step() {
  NoGradGuard no_grad;
  // Parameters on a GPU are collected and updated by one fused launch per dtype.
  cuda::SlotLists<cuda::AdamSlot> gpu;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor g = checked_grad(i);
    if (!g.defined()) continue;
    const Tensor& p = params_[i].second;
    ParamState& s = state_[i];
    if (!s.exp_avg.defined()) {
      s.exp_avg = zeros_like(p);
      s.exp_avg_sq = zeros_like(p);
      s.step = 0;
    }
    s.step += 1;
    // lr_ is read each step, so a schedule's set_lr takes effect immediately.
    const double t = static_cast<double>(s.step);
    const double bias_correction1 = 1.0 - std::pow(options_.beta1, t);
    const double bias_correction2 = 1.0 - std::pow(options_.beta2, t);
    const double wd = options_.weight_decay;
    TINT_DISPATCH_FLOATING(p.dtype(), type_name().c_str(), [&] {
      using T = scalar_t;
      const optim_math::AdamCoefficients<T> c{
          static_cast<T>(1.0 - options_.beta1),
          static_cast<T>(options_.beta2),
          static_cast<T>(1.0 - options_.beta2),
          static_cast<T>(options_.eps),
          static_cast<T>(decoupled_ ? 0.0 : wd),
          static_cast<T>(decoupled_ ? 1.0 - lr_ * wd : 1.0),
          static_cast<T>(lr_ / bias_correction1),
          static_cast<T>(std::sqrt(bias_correction2))};
      if (p.device().is_cuda()) {
        gpu.claim(p, g, type_name());
        gpu.add(cuda::AdamSlot<T>{p.data_ptr<T>(), g.data_ptr<const T>(),
                                  s.exp_avg.data_ptr<T>(), s.exp_avg_sq.data_ptr<T>(), p.numel(),
                                  c});
        return;
      }
      adam_loop(p.data<T>(), g.data<T>(), s.exp_avg.data<T>(), s.exp_avg_sq.data<T>(),
                p.numel(), c);
    });
  }
#if defined(TINT_WITH_CUDA)
  if (!gpu.f32.empty() || !gpu.f64.empty()) {
    op_profile::MaybeScope profiled("adam_multi_tensor", gpu.device);
    cuda::adam_multi_tensor(gpu.f32, gpu.device, gpu_staging());
    cuda::adam_multi_tensor(gpu.f64, gpu.device, gpu_staging());
  }
#endif
  ++step_count_;
}

StateDict Adam::state() const {
  StateDict out;
  for (size_t i = 0; i < params_.size(); ++i) {
    const ParamState& s = state_[i];
    if (!s.exp_avg.defined()) continue;
    const std::string& name = params_[i].first;
    out[name + ".exp_avg"] = s.exp_avg;
    out[name + ".exp_avg_sq"] = s.exp_avg_sq;
    out[name + ".step"] =
        scalar_tensor(static_cast<double>(s.step), TensorOptions{}.with_dtype(DType::Int64));
  }
  return out;
}

void Adam::load_state(const StateDict& state, int64_t step_count) {
  const auto parsed =
      parse_state(state, {{"exp_avg", false}, {"exp_avg_sq", false}, {"step", true}}, step_count);
  for (size_t i = 0; i < params_.size(); ++i) {
    ParamState& s = state_[i];
    if (parsed[i].empty()) {
      s = ParamState{};
      continue;
    }
    s.exp_avg = parsed[i][0];
    s.exp_avg_sq = parsed[i][1];
    s.step = static_cast<int64_t>(parsed[i][2].item());
  }
  step_count_ = step_count;
}

}  // namespace tint
