// SGD's step and state: a host loop per parameter around optim_math::sgd_update.
#include "framework/optim/sgd.h"

#include "framework/autograd/grad_mode.h"
#include "framework/ops/op_profile.h"
#include "framework/optim/cuda/multi_tensor.h"
#include "framework/optim/math/sgd.h"
#include "framework/tensor/factories.h"

namespace tint {

namespace {

// Outside the dispatch macro: a #pragma cannot sit inside a macro argument.
template <typename T>
void sgd_loop(T* p, const T* g, T* buf, int64_t n, const optim_math::SGDCoefficients<T>& c) {
#pragma omp parallel for if (n > (1 << 16))
  for (int64_t k = 0; k < n; ++k) optim_math::sgd_update(p[k], g[k], buf ? buf + k : nullptr, c);
}

}  // namespace

SGD::SGD(NamedParameters params, SGDOptions options)
    : Optimizer(std::move(params), options.lr), options_(options) {
  TINT_CHECK(options.momentum >= 0, "SGD: momentum must be >= 0, got ", options.momentum);
  TINT_CHECK(options.weight_decay >= 0, "SGD: weight_decay must be >= 0, got ",
             options.weight_decay);
  TINT_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
             "SGD: nesterov momentum requires momentum > 0 and dampening = 0 (got momentum ",
             options.momentum, ", dampening ", options.dampening, ")");
  momentum_buffers_.resize(params_.size());
}

void SGD::step() {
  NoGradGuard no_grad;
  // Parameters on a GPU are collected and updated by one fused launch per dtype.
  cuda::SlotLists<cuda::SgdSlot> gpu;
  const bool use_momentum = options_.momentum != 0;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor g = checked_grad(i);
    if (!g.defined()) continue;
    const Tensor& p = params_[i].second;
    const bool first = use_momentum && !momentum_buffers_[i].defined();
    if (first) momentum_buffers_[i] = zeros_like(p);
    TINT_DISPATCH_FLOATING(p.dtype(), "SGD.step", [&] {
      using T = scalar_t;
      const optim_math::SGDCoefficients<T> c{
          static_cast<T>(lr_), static_cast<T>(options_.momentum),
          static_cast<T>(options_.dampening), static_cast<T>(options_.weight_decay),
          options_.nesterov, first};
      if (p.device().is_cuda()) {
        gpu.claim(p, g, "SGD");
        gpu.add(cuda::SgdSlot<T>{p.data_ptr<T>(), g.data_ptr<const T>(),
                                 use_momentum ? momentum_buffers_[i].data_ptr<T>() : nullptr,
                                 p.numel(), c});
        return;
      }
      sgd_loop(p.data<T>(), g.data<T>(), use_momentum ? momentum_buffers_[i].data<T>() : nullptr,
               p.numel(), c);
    });
  }
#if defined(TINT_WITH_CUDA)
  if (!gpu.f32.empty() || !gpu.f64.empty()) {
    op_profile::MaybeScope profiled("sgd_multi_tensor", gpu.device);
    cuda::sgd_multi_tensor(gpu.f32, gpu.device, gpu_staging());
    cuda::sgd_multi_tensor(gpu.f64, gpu.device, gpu_staging());
  }
#endif
  ++step_count_;
}

StateDict SGD::state() const {
  StateDict out;
  for (size_t i = 0; i < params_.size(); ++i)
    if (momentum_buffers_[i].defined())
      out[params_[i].first + ".momentum_buffer"] = momentum_buffers_[i];
  return out;
}

void SGD::load_state(const StateDict& state, int64_t step_count) {
  const auto parsed = parse_state(state, {{"momentum_buffer", false}}, step_count);
  for (size_t i = 0; i < params_.size(); ++i)
    momentum_buffers_[i] = parsed[i].empty() ? Tensor() : parsed[i][0];
  step_count_ = step_count;
}

}  // namespace tint
