// op_profile on a GPU (framework/ops/op_profile.h): the same conv forward/backward records the
// convolutions' calls on the GPU as on the CPU; the GPU times (CUDA events, nothing
// waited for per call) are positive and their sum stays inside the wall time of the work;
// calls made while a CUDA graph is being captured are not recorded.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>

#include "framework/cuda/graph.h"
#include "framework/cuda/runtime.h"
#include "framework/tint.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;

namespace {

struct ProfileOff {
  ~ProfileOff() {
    op_profile::enable(false);
    op_profile::reset();
  }
};

void conv_steps(const Device& device, int steps) {
  const Tensor x = cpu_leaf({8, 16, 32, 32}, 1).detach().to(device).set_requires_grad();
  const Tensor w = cpu_leaf({32, 16, 3, 3}, 2).detach().to(device).set_requires_grad();
  const Tensor b = cpu_leaf({32}, 3).detach().to(device).set_requires_grad();
  for (int i = 0; i < steps; ++i) sum(relu(conv2d(x, w, b, Conv2dOptions{{1}, {1}}))).backward();
}

std::map<std::string, int64_t> profiled_calls(const Device& device, int steps,
                                              double* op_seconds, double* wall_seconds) {
  op_profile::reset();
  if (device.is_cuda()) cuda::synchronize(device.index);
  op_profile::enable(true);
  const auto t0 = std::chrono::steady_clock::now();
  conv_steps(device, steps);
  if (device.is_cuda()) cuda::synchronize(device.index);
  *wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  op_profile::enable(false);
  std::map<std::string, int64_t> calls;
  *op_seconds = 0;
  for (const op_profile::OpTime& t : op_profile::snapshot()) {
    calls[t.op] = t.calls;
    *op_seconds += t.seconds;
    if (device.is_cuda()) {
      INFO(t.op);
      CHECK(t.seconds > 0);
    }
  }
  return calls;
}

}  // namespace

TEST_CASE("op_profile times CUDA calls with events: the CPU's conv counts, inside the wall time",
          "[cuda][op_profile]") {
  ProfileOff off;
  conv_steps(Device::cuda(), 1);  // cuDNN's handles and algorithm choices out of the way
  double cpu_ops = 0, cpu_wall = 0, gpu_ops = 0, gpu_wall = 0;
  const auto cpu_calls = profiled_calls(Device::cpu(), 3, &cpu_ops, &cpu_wall);
  const auto gpu_calls = profiled_calls(Device::cuda(), 3, &gpu_ops, &gpu_wall);
  for (const char* op : {"conv2d_forward", "conv2d_backward"}) {
    INFO(op);
    REQUIRE(cpu_calls.count(op) == 1);
    REQUIRE(gpu_calls.count(op) == 1);
    CHECK(cpu_calls.at(op) == 3);
    CHECK(gpu_calls.at(op) == 3);
  }
  CHECK(gpu_ops > 0);
  CHECK(gpu_ops <= gpu_wall);
}

TEST_CASE("op_profile records nothing of a graph's capture", "[cuda][op_profile][graph]") {
  ProfileOff off;
  const Device gpu = Device::cuda();
  const Tensor x = cpu_leaf({4, 8, 6, 6}, 1).detach().to(gpu);
  const Tensor w = cpu_leaf({8, 8, 3, 3}, 2).detach().to(gpu);
  Tensor y;
  cuda::Graph graph;
  const auto work = [&] { y = conv2d(x, w, Tensor(), Conv2dOptions{{1}, {1}}); };
  graph.warmup(work);
  op_profile::reset();
  op_profile::enable(true);
  graph.capture(work);
  op_profile::enable(false);
  CHECK(op_profile::snapshot().empty());
  op_profile::enable(true);
  work();  // eager again: recorded
  op_profile::enable(false);
  const auto rows = op_profile::snapshot();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == "conv2d_forward");
  CHECK(rows[0].calls == 1);
  CHECK(rows[0].seconds > 0);
}
