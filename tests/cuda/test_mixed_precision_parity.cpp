// The bfloat16 mixed-precision path on the GPU against its CPU twin (framework/ops/
// mixed_precision.h): cuDNN's bfloat16 convolutions (forward, backward-data, backward-filter,
// bias), the bfloat16 bias + ReLU and conv-bias kernels, cuDNN's bfloat16 batch norm (float32
// statistics), bfloat16 dropout (the cpu's mask), and the through-float32 ops, each on the same inputs (values bfloat16 holds
// exactly) with outputs and gradients within two bfloat16 roundings (2^-7 relative) plus a
// small absolute term for sums that cancel; then the networks under autocast_bfloat16 on the
// GPU against the same networks under it on the CPU.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "framework/tint.h"
#include "kernels/color_loss.h"
#include "models/registry.h"
#include "parity.h"

using namespace tint;
using namespace tint::models;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

namespace {

constexpr double kRtol = 1.0 / 128;  // two bfloat16 roundings

Tensor b16(const Tensor& t) { return t.to(kBF16); }

}  // namespace

TEST_CASE("bfloat16 conv2d and conv_transpose2d on the GPU match the cpu", "[cuda][mixed_precision]") {
  struct Case {
    Shape x, w;
    Conv2dOptions o;
  };
  for (const Case& c : {Case{{2, 3, 9, 7}, {8, 3, 3, 3}, {1, 1}},
                        Case{{2, 16, 12, 12}, {32, 16, 3, 3}, {2, 1}},
                        Case{{1, 32, 8, 8}, {32, 32, 3, 3}, {1, 2, 2}},
                        Case{{2, 64, 6, 6}, {313, 64, 1, 1}, {}}}) {
    INFO(shape_str(c.x) << " * " << shape_str(c.w));
    const auto f = [o = c.o](const Xs& v) {
      return conv2d(b16(v[0]), b16(v[1]), b16(v[2]), o).to(kF32);
    };
    CHECK(parity(f, {cpu_leaf_bf16_exact(c.x, 1), cpu_leaf_bf16_exact(c.w, 2, -0.3, 0.3), cpu_leaf_bf16_exact({c.w[0]}, 3)},
                 kRtol, 2e-2) == "");
  }
  const auto up = [](const Xs& v) {
    return conv_transpose2d(b16(v[0]), b16(v[1]), b16(v[2]), ConvTranspose2dOptions{2, 1})
        .to(kF32);
  };
  CHECK(parity(up, {cpu_leaf_bf16_exact({2, 32, 6, 6}, 4), cpu_leaf_bf16_exact({32, 16, 4, 4}, 5, -0.3, 0.3),
                    cpu_leaf_bf16_exact({16}, 6)},
               kRtol, 2e-2) == "");
}

TEST_CASE("bfloat16 bias_relu on the GPU matches the cpu", "[cuda][mixed_precision]") {
  const auto f = [](const Xs& v) { return bias_relu(b16(v[0]), b16(v[1])).to(kF32); };
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{8, 64, 56, 56}, Shape{4, 313, 22, 22}}) {
    INFO(shape_str(s));
    CHECK(parity(f, {cpu_leaf_bf16_exact(s, 7), cpu_leaf_bf16_exact({s[1]}, 8)}, kRtol, 1e-2) == "");
  }
  // A float32 bias (the autocast layers' master bias): its gradient float32 on both devices.
  const auto g = [](const Xs& v) { return bias_relu(b16(v[0]), v[1]).to(kF32); };
  for (bool nhwc : {false, true}) {
    INFO((nhwc ? "NHWC" : "NCHW"));
    const auto h = [&](const Xs& v) {
      return g({nhwc ? to_channels_last(v[0]) : v[0], v[1]});
    };
    CHECK(parity(h, {cpu_leaf_bf16_exact({8, 64, 14, 14}, 9), cpu_leaf_bf16_exact({64}, 10)},
                 kRtol, 1e-2) == "");
  }
}

TEST_CASE("bfloat16 batch_norm2d on the GPU matches the cpu, statistics in float32",
          "[cuda][mixed_precision]") {
  const Tensor x = cpu_leaf_bf16_exact({4, 16, 7, 7}, 9, -2.0, 3.0);
  const Tensor w = cpu_leaf_bf16_exact({16}, 10, 0.5, 1.5), b = cpu_leaf_bf16_exact({16}, 11);
  Tensor rm = zeros({16}), rv = ones({16});
  Tensor rm_gpu = zeros({16}, TensorOptions{}.with_device(Device::cuda()));
  Tensor rv_gpu = ones({16}, TensorOptions{}.with_device(Device::cuda()));
  const Tensor r = cpu_leaf({4, 16, 7, 7}, 12).detach();
  const Tensor xg = x.detach().to(Device::cuda()).set_requires_grad();
  const Tensor wg = w.detach().to(Device::cuda()).set_requires_grad();
  const Tensor bg = b.detach().to(Device::cuda()).set_requires_grad();
  const Tensor want = batch_norm2d(b16(x), rm, rv, w, b, true, 0.1, 1e-5);
  const Tensor got = batch_norm2d(b16(xg), rm_gpu, rv_gpu, wg, bg, true, 0.1, 1e-5);
  CHECK(got.dtype() == kBF16);
  CHECK(relative_gap(got, want) < kRtol);
  CHECK(relative_gap(rm_gpu, rm) < 1e-5);
  CHECK(relative_gap(rv_gpu, rv) < 1e-5);
  sum(want.to(kF32) * r).backward();
  sum(got.to(kF32) * r.to(Device::cuda())).backward();
  CHECK(wg.grad().dtype() == kF32);
  CHECK(relative_gap(xg.grad(), x.grad()) < 2 * kRtol);
  CHECK(relative_gap(wg.grad(), w.grad()) < 2 * kRtol);
  CHECK(relative_gap(bg.grad(), b.grad()) < 2 * kRtol);
}

TEST_CASE("the through-float32 ops take bfloat16 on the GPU as on the cpu",
          "[cuda][mixed_precision]") {
  const Tensor x = cpu_leaf_bf16_exact({2, 3, 6, 5}, 13);
  const auto relu_f = [](const Xs& v) { return relu(b16(v[0])).to(kF32); };
  const auto add_f = [](const Xs& v) { return add(b16(v[0]), b16(v[0] * 0.5)).to(kF32); };
  const auto up_f = [](const Xs& v) {
    return upsample_bilinear2d(b16(v[0]), UpsampleSize::scale(2.0)).to(kF32);
  };
  for (const auto& f : {Function(relu_f), Function(add_f), Function(up_f)})
    CHECK(parity(f, {x}, kRtol, 1e-3) == "");
}

TEST_CASE("bfloat16 dropout on the GPU draws the cpu's mask in either layout",
          "[cuda][mixed_precision]") {
  const Tensor x = cpu_leaf_bf16_exact({2, 8, 5, 6}, 14).detach();
  const Tensor r = cpu_leaf({2, 8, 5, 6}, 15).detach();
  for (bool nhwc : {false, true}) {
    INFO((nhwc ? "channels_last" : "contiguous"));
    Generator g1(16), g2(16);
    Tensor xc = x.clone().set_requires_grad();
    Tensor xg = x.to(Device::cuda()).set_requires_grad();
    const Tensor want = dropout(b16(xc), 0.3, true, g1);
    const Tensor in = nhwc ? to_channels_last(xg) : xg;
    const Tensor got = dropout(b16(in), 0.3, true, g2);
    CHECK(is_nhwc(got) == nhwc);
    CHECK(got.cpu().to(kF32).to_vector<float>() == want.to(kF32).to_vector<float>());
    sum(want.to(kF32) * r).backward();
    sum(got.to(kF32) * r.to(Device::cuda())).backward();
    CHECK(xg.grad().cpu().to_vector<float>() == xc.grad().to_vector<float>());
  }
}

TEST_CASE("the networks under autocast_bfloat16 on the GPU match the cpu",
          "[cuda][mixed_precision][models]") {
  Generator data(51);
  const Tensor L = rand({2, 1, 32, 32}, data, TensorOptions{}, 0.0, 100.0);
  const Tensor ab = rand({2, 2, 32, 32}, data, TensorOptions{}, -60.0, 60.0);
  for (const std::string& name : model_names()) {
    INFO(name);
    auto build = [&] {
      Generator gen(52);
      auto model = make_model(name, Head::Classification, 0.125, gen);
      model->eval();  // running statistics, no dropout: see test_mixed_precision.cpp
      return model;
    };
    auto cpu_model = build(), gpu_model = build();
    gpu_model->to(Device::cuda());
    nn::SettingsScope scope({.fuse_bias_relu_on_cuda = true, .autocast_bfloat16 = true});
    const Tensor want = (*cpu_model)(L);
    const Tensor got = (*gpu_model)(L.to(Device::cuda()));
    CHECK(got.dtype() == kF32);
    // Each side rounds every layer's output once; the two roundings may differ by an ulp
    // per layer, so the gap is that of bfloat16 against float32 (test_mixed_precision.cpp).
    CHECK(relative_gap(got, want) < 2e-2);
    const Tensor want_loss = color::rebalanced_cross_entropy(want, ab, Tensor());
    const Tensor got_loss = color::rebalanced_cross_entropy(got, ab.to(Device::cuda()), Tensor());
    CHECK(std::abs(got_loss.item() - want_loss.item()) < 3e-3 * std::abs(want_loss.item()));
    want_loss.backward();
    got_loss.backward();
    const NamedParameters gp = gpu_model->named_parameters(), cp = cpu_model->named_parameters();
    double dot = 0, gg = 0, cc = 0;
    for (size_t i = 0; i < gp.size(); ++i) {
      if (!cp[i].second.grad().defined()) continue;
      REQUIRE(gp[i].second.grad().defined());
      CHECK(gp[i].second.grad().dtype() == kF32);
      const std::vector<double> a = gp[i].second.grad().cpu().to(DType::Float64).to_vector<double>();
      const std::vector<double> b = cp[i].second.grad().to(DType::Float64).to_vector<double>();
      for (size_t j = 0; j < a.size(); ++j) dot += a[j] * b[j], gg += a[j] * a[j], cc += b[j] * b[j];
    }
    CHECK(dot / std::sqrt(gg * cc) > 0.999);
  }
}

TEST_CASE("a training step under autocast_bfloat16 on the GPU", "[cuda][mixed_precision]") {
  Generator gen(53), data(54);
  auto model = make_model("seed", Head::Classification, 0.25, gen);
  model->to(Device::cuda());
  Adam opt(model->named_parameters(), AdamOptions{.lr = 1e-3});
  const Tensor L = rand({4, 1, 64, 64}, data, TensorOptions{}, 0.0, 100.0).to(Device::cuda());
  const Tensor ab = rand({4, 2, 64, 64}, data, TensorOptions{}, -60.0, 60.0).to(Device::cuda());
  nn::SettingsScope scope({.fuse_bias_relu_on_cuda = true, .autocast_bfloat16 = true});
  double first = 0, last = 0;
  for (int step = 0; step < 20; ++step) {  // one batch, over and over: the loss must fall
    Tensor loss = color::rebalanced_cross_entropy((*model)(L), ab, Tensor());
    opt.zero_grad();
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item();
  }
  INFO("first " << first << ", last " << last);
  CHECK(std::isfinite(last));
  CHECK(last < first);
  for (const auto& [name, p] : model->named_parameters()) CHECK(p.dtype() == kF32);
}
