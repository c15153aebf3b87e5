// CPU/GPU parity of bias_relu (forward, grad_x and the per-channel bias sums, float32 and
// float64, from one channel to many blocks per channel), either gradient alone, and a float64
// gradient check on the GPU.
#include <catch2/catch.hpp>

#include "framework/tint.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

TEST_CASE("bias_relu matches the cpu", "[cuda][bias_relu]") {
  const auto f = [](const Xs& v) { return bias_relu(v[0], v[1]); };
  for (DType d : {DType::Float32, DType::Float64}) {
    for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 1, 9, 9}, Shape{3, 40, 1, 1}}) {
      INFO(dtype_name(d) << " " << shape_str(s));
      CHECK(parity(f, {cpu_leaf(s, 31, d), cpu_leaf({s[1]}, 32, d)}, 1e-6, 1e-6) == "");
    }
  }
  // Many blocks per channel (the partial sums) and a 313-wide head-like tensor.
  CHECK(parity(f, {cpu_leaf({8, 64, 56, 56}, 33), cpu_leaf({64}, 34)}, 1e-5, 1e-4) == "");
  CHECK(
      parity(f,
             {cpu_leaf({4, 313, 22, 22}, 35, DType::Float64), cpu_leaf({313}, 36, DType::Float64)},
             1e-10, 1e-10) == "");
}

TEST_CASE("bias_relu on the GPU with one input requiring grad", "[cuda][bias_relu]") {
  const auto f = [](const Xs& v) { return bias_relu(v[0], v[1]); };
  const Tensor x = cpu_leaf({2, 4, 6, 6}, 37, DType::Float64);
  const Tensor b = cpu_leaf({4}, 38, DType::Float64);
  CHECK(parity(f, {x.detach(), b}, 1e-10, 1e-10) == "");
  CHECK(parity(f, {x, b.detach()}, 1e-10, 1e-10) == "");
}

TEST_CASE("float64 gradient check of bias_relu on the GPU", "[cuda][bias_relu][grad]") {
  Tensor x = leaf64({2, 3, 5, 4}, 39).detach().to(Device::cuda()).set_requires_grad();
  Tensor b = leaf64({3}, 40).detach().to(Device::cuda()).set_requires_grad();
  CHECK(gradcheck([](const Xs& v) { return bias_relu(v[0], v[1]); }, {x, b}) == "");
}
