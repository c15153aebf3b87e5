// The fused GPU optimizers against the CPU loops (same math, so a few ulps apart), a small
// CNN trained on the GPU tracking the CPU's loss curve (dropout off), and the device
// allocator: reuse, statistics and the out-of-memory message.
#include <catch2/catch.hpp>

#include "framework/memory/device_memory.h"
#include "models/example_cnn.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;

namespace {

// Runs three optimizer steps on the same parameters and gradients on both devices.
template <typename MakeOptimizer>
double optimizer_gap(MakeOptimizer make) {
  Generator gen(3);
  std::vector<Tensor> cpu_params, gpu_params;
  NamedParameters cpu_named, gpu_named;
  for (int i = 0; i < 4; ++i) {
    const Shape shape = i == 3 ? Shape{70001} : Shape{3 + i, 5};  // one tensor spans chunks
    Tensor p = randn(shape, gen);
    cpu_params.push_back(p.clone().set_requires_grad());
    gpu_params.push_back(p.to(Device::cuda()).set_requires_grad());
    cpu_named.emplace_back("p" + std::to_string(i), cpu_params.back());
    gpu_named.emplace_back("p" + std::to_string(i), gpu_params.back());
  }
  auto cpu_opt = make(cpu_named);
  auto gpu_opt = make(gpu_named);
  for (int step = 0; step < 3; ++step) {
    for (size_t i = 0; i < cpu_params.size(); ++i) {
      const Tensor g = randn(cpu_params[i].shape(), gen);
      cpu_params[i].set_grad(g.clone());
      gpu_params[i].set_grad(g.to(Device::cuda()));
    }
    cpu_opt->step();
    gpu_opt->step();
  }
  double gap = 0;
  for (size_t i = 0; i < cpu_params.size(); ++i)
    gap = std::max(gap, max_abs_diff(cpu_params[i], gpu_params[i].cpu()));
  return gap;
}

}  // namespace

TEST_CASE("fused GPU optimizers match the CPU updates", "[cuda][optim]") {
  CHECK(optimizer_gap([](NamedParameters p) {
          return std::make_unique<SGD>(p, SGDOptions{0.1, 0.9, 0.0, 1e-2, true});
        }) < 1e-5);
  CHECK(optimizer_gap([](NamedParameters p) {
          return std::make_unique<Adam>(p, AdamOptions{1e-2, 0.9, 0.999, 1e-8, 1e-3});
        }) < 1e-5);
  CHECK(optimizer_gap([](NamedParameters p) {
          return std::make_unique<AdamW>(p, AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 1e-2});
        }) < 1e-5);
}

TEST_CASE("a small CNN trained on the GPU tracks the CPU loss curve", "[cuda][training]") {
  const bool tf32 = cuda::settings().allow_tf32;
  cuda::settings().allow_tf32 = false;  // compare fp32 with fp32
  Generator data_gen(21);
  const models::LabelledImages data = models::make_bar_images(256, 12, data_gen);
  Generator g_cpu(5), g_gpu(5);
  models::ExampleCnn cpu_model(8, g_cpu), gpu_model(8, g_gpu);
  gpu_model.to(Device::cuda());
  Adam cpu_opt(cpu_model.named_parameters(), AdamOptions{.lr = 5e-3});
  Adam gpu_opt(gpu_model.named_parameters(), AdamOptions{.lr = 5e-3});
  const Tensor x_gpu = data.images.to(Device::cuda()), y_gpu = data.labels.to(Device::cuda());
  double first = 0, worst = 0;
  for (int64_t step = 0; step < 40; ++step) {
    const int64_t b = (step * 32) % (256 - 32 + 1);
    Tensor loss_cpu = cross_entropy(cpu_model(data.images.slice(0, b, b + 32)),
                                    data.labels.slice(0, b, b + 32).contiguous());
    Tensor loss_gpu = cross_entropy(gpu_model(x_gpu.slice(0, b, b + 32)),
                                    y_gpu.slice(0, b, b + 32).contiguous());
    cpu_opt.zero_grad();
    gpu_opt.zero_grad();
    loss_cpu.backward();
    loss_gpu.backward();
    cpu_opt.step();
    gpu_opt.step();
    const double lc = loss_cpu.item(), lg = loss_gpu.item();
    if (step == 0) first = lc;
    worst = std::max(worst, std::abs(lc - lg) / std::max(lc, 1e-3));
  }
  cuda::settings().allow_tf32 = tf32;
  INFO("first loss " << first << ", worst relative gap " << worst);
  // Same math, different summation orders: the curves agree to 1% over 40 Adam steps.
  CHECK(worst < 1e-2);
}

TEST_CASE("the device allocator reuses blocks and reports out-of-memory with numbers",
          "[cuda][allocator]") {
  const Device gpu = Device::cuda();
  device_empty_cache(gpu);
  device_reset_peak(gpu);
  const AllocatorStats before = device_memory_stats(gpu);
  {
    Tensor a = Tensor::empty({1 << 20}, DType::Float32, gpu);  // 4 MiB
    const void* first = a.raw_data();
    a = Tensor();
    Tensor b = Tensor::empty({1 << 20}, DType::Float32, gpu);
    CHECK(b.raw_data() == first);  // served from the cache
    CHECK(device_memory_stats(gpu).allocated_bytes >= before.allocated_bytes + (4u << 20));
  }
  CHECK(device_memory_stats(gpu).peak_allocated_bytes >= (4u << 20));
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(Tensor::empty({int64_t(1) << 45}, DType::Float32, gpu),
                    Contains("out of memory: requested") && Contains("allocated") &&
                        Contains("cached") && Contains("peak allocated"));
  // The failed request left the allocator usable.
  CHECK(ones({10}).to(gpu).cpu().to_vector<float>() == std::vector<float>(10, 1.0f));
}
