// The GPU's NHWC path (framework/tensor/layout.h) against the CPU: cuDNN convolutions with
// NHWC tensor and filter descriptors (float32 and bfloat16; forward, backward-data,
// backward-filter, bias), the NHWC bias + ReLU and conv-bias kernels, cuDNN batch norm on
// NHWC, dropout and casts that keep the layout, the layout-changing copies (a tiled
// transpose on the GPU, with and without a dtype change, from slices too), and the networks under
// nn::settings().channels_last on the GPU against the same networks on the CPU. Each output
// is also checked to be channels_last on the GPU.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "framework/cuda/settings.h"
#include "framework/tint.h"
#include "models/registry.h"
#include "parity.h"

using namespace tint;
using namespace tint::models;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

namespace {

const Tensor& gpu_nhwc(const Tensor& t) {
  if (t.device().is_cuda()) CHECK(is_nhwc(t));
  return t;
}

}  // namespace

// float32 against float32 in a scope (cuDNN's TF32 rounds to 10 mantissa bits).
struct Tf32Off {
  bool saved = cuda::settings().allow_tf32;
  Tf32Off() { cuda::settings().allow_tf32 = false; }
  ~Tf32Off() { cuda::settings().allow_tf32 = saved; }
};

TEST_CASE("NHWC convolutions on the GPU match the cpu", "[cuda][layout]") {
  const Tf32Off tf32_off;
  const Conv2dOptions cl{{1}, {1}, {1}, /*channels_last=*/true};
  const auto f = [cl](const Xs& v) { return gpu_nhwc(conv2d(v[0], v[1], v[2], cl)); };
  CHECK(parity(f, {cpu_leaf({2, 16, 9, 7}, 1), cpu_leaf({32, 16, 3, 3}, 2), cpu_leaf({32}, 3)},
               1e-4, 1e-4) == "");
  // A channels_last input without the option; a strided, dilated one; bfloat16.
  const auto given = [](const Xs& v) {
    return gpu_nhwc(conv2d(to_channels_last(v[0]), v[1], v[2], Conv2dOptions{{2}, {2}, {2}}));
  };
  CHECK(parity(given, {cpu_leaf({2, 8, 12, 12}, 4), cpu_leaf({16, 8, 3, 3}, 5), cpu_leaf({16}, 6)},
               1e-4, 1e-4) == "");
  const auto mixed = [cl](const Xs& v) {
    return gpu_nhwc(conv2d(v[0].to(kBF16), v[1].to(kBF16), v[2].to(kBF16), cl)).to(kF32);
  };
  CHECK(parity(mixed, {cpu_leaf_bf16_exact({2, 32, 8, 8}, 7), cpu_leaf_bf16_exact({64, 32, 3, 3}, 8, -0.3, 0.3),
                       cpu_leaf_bf16_exact({64}, 9)},
               1.0 / 128, 2e-2) == "");
  const auto up = [](const Xs& v) {
    return gpu_nhwc(conv_transpose2d(v[0], v[1], v[2],
                                     ConvTranspose2dOptions{{2}, {1}, {0}, {1}, true}));
  };
  CHECK(parity(up, {cpu_leaf({2, 16, 5, 5}, 10), cpu_leaf({16, 8, 4, 4}, 11), cpu_leaf({8}, 12)},
               1e-4, 1e-4) == "");
}

TEST_CASE("NHWC bias_relu and batch norm on the GPU match the cpu", "[cuda][layout]") {
  for (DType d : {DType::Float32, DType::BFloat16}) {
    INFO(dtype_name(d));
    const double tol = d == kBF16 ? 1.0 / 128 : 1e-5;
    const auto br = [d](const Xs& v) {
      return gpu_nhwc(bias_relu(to_channels_last(v[0].to(d)), v[1].to(d))).to(kF32);
    };
    for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{4, 64, 22, 22}, Shape{2, 313, 11, 11}})
      CHECK(parity(br, {cpu_leaf_bf16_exact(s, 13), cpu_leaf_bf16_exact({s[1]}, 14)}, tol, 1e-2) == "");
    const auto bn = [d](const Xs& v) {
      return gpu_nhwc(batch_norm2d(to_channels_last(v[0].to(d)), Tensor(), Tensor(), v[1], v[2],
                                   true, 0.1, 1e-5))
          .to(kF32);
    };
    CHECK(parity(bn, {cpu_leaf_bf16_exact({4, 16, 7, 7}, 15, -2.0, 3.0), cpu_leaf_bf16_exact({16}, 16, 0.5, 1.5),
                      cpu_leaf_bf16_exact({16}, 17)},
                 2 * tol, 2e-2) == "");
  }
}

TEST_CASE("dropout and casts keep channels_last on the GPU", "[cuda][layout]") {
  const Tensor x = to_channels_last(cpu_leaf({4, 32, 16, 16}, 18, kF32, 1.0, 2.0).detach())
                       .to(Device::cuda());
  REQUIRE(is_nhwc(x));
  const Tensor b = x.to(kBF16);
  CHECK(is_nhwc(b));
  CHECK(b.cpu().to_vector<float>() == x.cpu().to(kBF16).to_vector<float>());
  Tensor leaf = x.detach().clone();  // clone: contiguous
  const Tensor xr = to_channels_last(leaf.set_requires_grad());
  const Tensor y = dropout(xr, 0.25, true);
  CHECK(is_nhwc(y));
  sum(y).backward();
  // Each element is dropped (0) or kept and scaled by 1 / (1 - p); its gradient says which.
  const std::vector<float> xv = x.cpu().to_vector<float>(), yv = y.cpu().to_vector<float>();
  const std::vector<float> gv = leaf.grad().cpu().to_vector<float>();
  int64_t dropped = 0;
  bool consistent = true;
  for (size_t i = 0; i < xv.size(); ++i) {
    const bool kept = yv[i] != 0.0f;
    dropped += !kept;
    if (kept) consistent &= std::abs(yv[i] - xv[i] / 0.75f) <= 1e-5f * std::abs(yv[i]);
    consistent &= std::abs(gv[i] - (kept ? 1.0f / 0.75f : 0.0f)) <= 1e-6f;
  }
  CHECK(consistent);
  const double fraction = double(dropped) / double(xv.size());
  CHECK(std::abs(fraction - 0.25) < 0.02);  // 32768 draws: sd 0.0024
}

TEST_CASE("the networks under channels_last on the GPU match the cpu", "[cuda][layout][models]") {
  const Tf32Off tf32_off;
  Generator data(61);
  const Tensor L = rand({2, 1, 32, 32}, data, TensorOptions{}, 0.0, 100.0);
  for (const std::string& name : model_names())
    for (bool bf16 : {false, true}) {
      INFO(name << (bf16 ? " bf16" : " fp32"));
      auto build = [&] {
        Generator gen(62);
        auto model = make_model(name, Head::Classification, 0.125, gen);
        model->eval();
        return model;
      };
      auto cpu_model = build(), gpu_model = build();
      gpu_model->to(Device::cuda());
      const Tensor want = (*cpu_model)(L);
      nn::SettingsScope scope({.fuse_bias_relu_on_cuda = true,
                               .autocast_bfloat16 = bf16,
                               .channels_last = true});
      const Tensor got = (*gpu_model)(L.to(Device::cuda()));
      CHECK(got.dtype() == kF32);
      // bfloat16 against the cpu's float32: the gap of test_mixed_precision.cpp.
      CHECK(relative_gap(got, want) < (bf16 ? 2e-2 : 1e-4));
      sum(got).backward();
      for (const auto& [pname, p] : gpu_model->named_parameters())
        if (p.grad().defined()) CHECK(p.grad().is_contiguous());
    }
}

TEST_CASE("copies between NCHW and NHWC on the GPU equal the cpu's", "[cuda][layout]") {
  const Device gpu = Device::cuda();
  for (const auto& [from, to] : std::vector<std::pair<DType, DType>>{
           {kF32, kF32}, {kF32, kBF16}, {kBF16, kF32}, {DType::Float64, DType::Float64}}) {
    // Tile edges in both dims; one image; a single row.
    for (const Shape& s : {Shape{2, 70, 9, 11}, Shape{1, 64, 44, 44}, Shape{3, 33, 1, 40}}) {
      INFO(dtype_name(from) << " -> " << dtype_name(to) << " " << shape_str(s));
      const Tensor x = cpu_leaf(s, 61).detach().to(from);
      for (bool to_nhwc : {true, false}) {
        const Tensor src = to_nhwc ? x : channels_last_copy(x);
        Tensor want = empty_dense(s, to, Device::cpu(), to_nhwc);
        want.copy_(src);
        Tensor got = empty_dense(s, to, gpu, to_nhwc);
        got.copy_(src.to(gpu));
        CHECK(is_nhwc(got) == to_nhwc);
        CHECK(got.cpu().to(kF32).to_vector<float>() == want.to(kF32).to_vector<float>());
      }
    }
  }
  // The head's logits: 313 of 320 channels_last channels, to contiguous float32.
  const Tensor wide = channels_last_copy(cpu_leaf({2, 320, 11, 11}, 62).detach().to(kBF16));
  const Tensor head = wide.slice(1, 0, 313);
  const Tensor want = head.to(kF32);
  const Tensor got = wide.to(gpu).slice(1, 0, 313).to(kF32);  // sliced on the GPU
  CHECK(got.cpu().to_vector<float>() == want.contiguous().to_vector<float>());
}
