// The nn switches (framework/nn/settings.h) on the GPU: each network with all switches on
// against the same network with them off, both on the device, float64 (only summation orders
// and cuDNN's algorithm choices differ): output, input gradient and every parameter gradient
// within 1e-10 of the largest value (norm-wise). eccv16 trains (batch statistics); seed runs
// in eval mode, as in test_models_parity.cpp, so no dropout masks are involved.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "framework/tint.h"
#include "models/registry.h"
#include "parity.h"

using namespace tint;
using namespace tint::models;
using namespace tint::testing;

TEST_CASE("the networks compute the same on the GPU with every nn switch", "[cuda][settings]") {
  const nn::Settings all{
      .fuse_bias_relu = true, .pad_input_channels = true, .pad_output_channels = true};
  for (const std::string& name : model_names())
    for (Head head : {Head::Classification, Head::Regression}) {
      INFO(name << " " << head_name(head));
      auto build = [&] {
        Generator gen(41);
        auto model = make_model(name, head, 0.125, gen);
        model->to(DType::Float64);
        model->to(Device::cuda());
        model->train(name == "eccv16");
        return model;
      };
      auto plain = build(), switched = build();
      Generator data(42);
      const TensorOptions f64 = TensorOptions{}.with_dtype(DType::Float64);
      const Tensor L = rand({2, 1, 32, 24}, data, f64, 0.0, 100.0).to(Device::cuda());
      Tensor x = L.clone().set_requires_grad(), x2 = L.clone().set_requires_grad();
      Tensor want;
      {
        nn::SettingsScope scope({.fuse_bias_relu_on_cuda = false});  // the plain path on CUDA
        want = plain->forward(x);
      }
      Tensor got;
      {
        nn::SettingsScope scope(all);
        got = switched->forward(x2);
      }
      REQUIRE(got.device().is_cuda());
      REQUIRE(got.shape() == want.shape());
      CHECK(relative_gap(got, want) < 1e-10);
      const Tensor r = rand(want.shape(), data, f64, 0.5, 1.5).to(Device::cuda());
      sum(want * r).backward();
      sum(got * r).backward();
      CHECK(relative_gap(x2.grad(), x.grad()) < 1e-10);
      const NamedParameters a = switched->trainable_parameters(), b = plain->trainable_parameters();
      REQUIRE(a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        INFO(b[i].first);
        CHECK(relative_gap(a[i].second.grad(), b[i].second.grad()) < 1e-10);
      }
    }
}
