// CPU/GPU parity of bias_relu (forward, grad_x and the per-channel bias sums, float32 and
// float64, from one channel to many blocks per channel), either gradient alone, and a float64
// gradient check on the GPU; and the 16-byte-pack kernels against the per-element ones.
#include <catch2/catch.hpp>

#include "framework/cuda/settings.h"
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

TEST_CASE("the 16-byte-pack bias_relu kernels equal the per-element ones on the GPU",
          "[cuda][bias_relu]") {
  const Device gpu = Device::cuda();
  const bool saved = cuda::settings().vectorized_bias_relu;
  for (DType d : {DType::Float32, DType::Float64, DType::BFloat16}) {
    for (bool nhwc : {false, true}) {
      // 56 x 56 and 64 channels fit packs in both layouts; 22 x 22 with 320 channels fits
      // NHWC and (but for bfloat16) NCHW.
      for (const Shape& s : {Shape{8, 64, 56, 56}, Shape{4, 320, 22, 22}}) {
        INFO(dtype_name(d) << (nhwc ? " NHWC " : " NCHW ") << shape_str(s));
        const Tensor x0 = cpu_leaf(s, 41, DType::Float32).detach().to(gpu).to(d);
        const Tensor b0 = cpu_leaf({s[1]}, 42, DType::Float32).detach().to(gpu).to(d);
        const Tensor r = cpu_leaf(s, 43, DType::Float32).detach().to(gpu);
        std::vector<Tensor> ys, gxs, gbs;
        for (bool packs : {false, true}) {
          cuda::settings().vectorized_bias_relu = packs;
          Tensor x = (nhwc ? to_channels_last(x0) : x0).detach().set_requires_grad();
          Tensor b = b0.detach().set_requires_grad();
          const Tensor y = bias_relu(x, b);
          sum(y.to(DType::Float32) * r).backward();
          ys.push_back(y.to(DType::Float32).cpu());
          gxs.push_back(x.grad().to(DType::Float32).cpu());
          gbs.push_back(b.grad().to(DType::Float64).cpu());
        }
        CHECK(max_abs_diff(ys[0], ys[1]) == 0.0);    // the same arithmetic per element
        CHECK(max_abs_diff(gxs[0], gxs[1]) == 0.0);
        CHECK(relative_gap(gbs[0], gbs[1]) < 1e-6);  // double sums, in another order
      }
    }
  }
  cuda::settings().vectorized_bias_relu = saved;
}
