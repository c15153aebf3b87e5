// The result-preserving nn switches (framework/nn/settings.h), each against the plain path in
// float64: Sequential's bias + ReLU fusion and Conv2d's channel padding on small layers (the
// channels_last layout: test_layout.cpp), then
// the seed and eccv16 networks (both heads, width 1/16, training mode) with each switch and
// all together: outputs, loss, decoding, the input's and every parameter's gradient agree
// within 1e-12 relative (max |a - b| / max |b|, per tensor), the graph shows the switched ops
// were used, and the state dict keeps its names, shapes and values.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "framework/autograd/node.h"
#include "framework/tint.h"
#include "gradcheck.h"
#include "kernels/color_loss.h"
#include "models/registry.h"

using namespace tint;
using namespace tint::models;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

constexpr double kTolerance = 1e-12;  // relative, float64
const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

// Every parameter's gradient of b against a's, by name.
void check_gradients(const nn::Module& switched, const nn::Module& plain) {
  const NamedParameters got = switched.named_parameters(), want = plain.named_parameters();
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO(want[i].first);
    REQUIRE(got[i].first == want[i].first);
    REQUIRE(got[i].second.grad().defined() == want[i].second.grad().defined());
    if (want[i].second.grad().defined())
      CHECK(relative_gap(got[i].second.grad(), want[i].second.grad()) < kTolerance);
  }
}

}  // namespace

TEST_CASE("the nn switches are off by default and SettingsScope restores them", "[nn][settings]") {
  const nn::Settings defaults = nn::settings();
  CHECK_FALSE(defaults.fuse_bias_relu);
  CHECK_FALSE(defaults.pad_input_channels);
  CHECK_FALSE(defaults.pad_output_channels);
  CHECK(defaults.fuse_bias_relu_on_cuda);  // CUDA inputs only; cpu inputs take the plain path
  {
    nn::SettingsScope scope({.fuse_bias_relu = true, .pad_input_channels = true});
    CHECK(nn::settings().fuse_bias_relu);
    CHECK(nn::settings().pad_input_channels);
    CHECK_FALSE(nn::settings().pad_output_channels);
  }
  CHECK_FALSE(nn::settings().fuse_bias_relu);
  CHECK_FALSE(nn::settings().pad_input_channels);
}

TEST_CASE("Sequential fuses a biased convolution and its ReLU into bias_relu", "[nn][settings]") {
  auto build = [] {
    Generator gen(3);
    auto seq = std::make_shared<nn::Sequential>();
    seq->push_back(std::make_shared<nn::Conv2d>(3, 5, Pair(3), Conv2dOptions{1, 1}, true, gen));
    seq->push_back(std::make_shared<nn::ReLU>());  // fused
    seq->push_back(std::make_shared<nn::ConvTranspose2d>(5, 4, Pair(4),
                                                         ConvTranspose2dOptions{2, 1}, true, gen));
    seq->push_back(std::make_shared<nn::ReLU>());  // fused
    seq->push_back(std::make_shared<nn::Conv2d>(4, 6, Pair(1), Conv2dOptions{}, false, gen));
    seq->push_back(std::make_shared<nn::ReLU>());  // no bias: stays conv2d + relu
    seq->push_back(std::make_shared<nn::Conv2d>(6, 3, Pair(3), Conv2dOptions{1, 1}, true, gen));
    seq->push_back(std::make_shared<nn::Upsample>(UpsampleSize::scale(2.0)));  // not a ReLU
    seq->to(DType::Float64);
    return seq;
  };
  auto plain = build(), fused = build();
  const Tensor x = leaf64({2, 3, 6, 5}, 4);
  const Tensor x2 = x.detach().clone().set_requires_grad();
  const Tensor want = (*plain)(x);
  Tensor got;
  {
    nn::SettingsScope scope({.fuse_bias_relu = true});
    got = (*fused)(x2);
  }
  CHECK(count_graph_nodes(want, "bias_relu") == 0);
  CHECK(count_graph_nodes(got, "bias_relu") == 2);
  CHECK(count_graph_nodes(got, "relu") == 1);
  CHECK(relative_gap(got, want) < kTolerance);
  Generator rgen(5);
  const Tensor r = rand(want.shape(), rgen, kF64, 0.5, 1.5);
  sum(want * r).backward();
  sum(got * r).backward();
  CHECK(relative_gap(x2.grad(), x.grad()) < kTolerance);
  check_gradients(*fused, *plain);
}

TEST_CASE("Conv2d's channel padding keeps results, gradients and parameter shapes",
          "[nn][settings]") {
  struct Case {
    int64_t in, out;
    bool bias;
    nn::ChannelPadding padding;
    nn::Settings settings;
  };
  const nn::Settings all{
      .fuse_bias_relu = true, .pad_input_channels = true, .pad_output_channels = true};
  const Case cases[] = {
      {1, 6, true, {.input_channels = 8}, {.pad_input_channels = true}},
      {3, 13, true, {.output_multiple = 8}, {.pad_output_channels = true}},
      {5, 13, false, {.output_multiple = 8}, {.pad_output_channels = true}},
      {1, 13, true, {8, 8}, all},
  };
  for (const Case& c : cases) {
    INFO(c.in << " -> " << c.out << (c.bias ? " with bias" : " without bias"));
    auto build = [&] {
      Generator gen(6);
      auto conv =
          std::make_shared<nn::Conv2d>(c.in, c.out, Pair(3), Conv2dOptions{1, 1}, c.bias, gen);
      conv->set_channel_padding(c.padding);
      conv->to(DType::Float64);
      return conv;
    };
    auto plain = build(), padded = build();
    const Tensor x = leaf64({2, c.in, 5, 6}, 7);
    const Tensor x2 = x.detach().clone().set_requires_grad();
    // The marks alone change nothing: the switches are off.
    const Tensor want = relu((*plain)(x));
    CHECK(count_graph_nodes(want, "pad") == 0);
    Tensor got;
    {
      nn::SettingsScope scope(c.settings);
      got =
          c.bias && c.settings.fuse_bias_relu ? padded->forward_bias_relu(x2) : relu((*padded)(x2));
    }
    CHECK(count_graph_nodes(got, "pad") > 0);
    REQUIRE(got.shape() == want.shape());
    CHECK(relative_gap(got, want) < kTolerance);
    Generator rgen(8);
    const Tensor r = rand(want.shape(), rgen, kF64, 0.5, 1.5);
    sum(want * r).backward();
    sum(got * r).backward();
    CHECK(relative_gap(x2.grad(), x.grad()) < kTolerance);
    check_gradients(*padded, *plain);
    CHECK(padded->weight().shape() == Shape{c.out, c.in, 3, 3});
    CHECK(padded->weight().grad().shape() == Shape{c.out, c.in, 3, 3});
  }
  nn::Conv2d conv(2, 3, Pair(1));
  CHECK_THROWS_WITH(conv.set_channel_padding({.input_channels = -1}),
                    Contains("Conv2d") && Contains("channel padding"));
  CHECK_THROWS_WITH(nn::Conv2d(2, 3, Pair(1), {}, false).forward_bias_relu(zeros({1, 2, 2, 2})),
                    Contains("Conv2d") && Contains("bias"));
  // A wrong input still names the real channel counts with input padding on.
  nn::Conv2d first(1, 4, Pair(3));
  first.set_channel_padding({.input_channels = 8});
  nn::SettingsScope scope({.pad_input_channels = true});
  CHECK_THROWS_WITH(first(zeros({1, 2, 5, 5})), Contains("conv2d") && Contains("2 channels"));
}

TEST_CASE("the networks compute the same with every nn switch", "[nn][settings][models]") {
  const std::vector<std::pair<std::string, nn::Settings>> switches = {
      {"fuse_bias_relu", {.fuse_bias_relu = true}},
      {"pad_input_channels", {.pad_input_channels = true}},
      {"pad_output_channels", {.pad_output_channels = true}},
      {"channels_last", {.channels_last = true}},
      {"all",
       {.fuse_bias_relu = true,
        .pad_input_channels = true,
        .pad_output_channels = true,
        .channels_last = true}},
  };
  Generator data(31);
  const Tensor L = rand({2, 1, 16, 24}, data, kF64, 0.0, 100.0);
  const Tensor ab_full = rand({2, 2, 16, 24}, data, kF64, -60.0, 60.0);
  const Tensor ab_out = rand({2, 2, 4, 6}, data, kF64, -60.0, 60.0);
  for (const std::string& name : model_names())
    for (Head head : {Head::Classification, Head::Regression})
      for (const auto& [what, settings] : switches) {
        INFO(name << " " << head_name(head) << " with " << what);
        auto build = [&] {
          Generator gen(21);  // same weights and dropout masks for both copies
          auto model = make_model(name, head, 1.0 / 16, gen);
          model->to(DType::Float64);
          model->train();
          return model;
        };
        auto plain = build(), switched = build();
        auto loss_of = [&](ColorizerModel& model, const Tensor& out) {
          return head == Head::Classification
                     ? color::rebalanced_cross_entropy(out, ab_full, Tensor())
                     : color::l2_color_loss(model.decode_regression(out), ab_out);
        };
        const Tensor x = L.clone().set_requires_grad(), x2 = L.clone().set_requires_grad();
        const Tensor want = plain->forward(x);
        const Tensor want_loss = loss_of(*plain, want);
        Tensor got, got_loss;
        {
          nn::SettingsScope scope(settings);
          got = switched->forward(x2);
          got_loss = loss_of(*switched, got);
        }
        // The switched ops were used where they apply.
        if (settings.fuse_bias_relu) CHECK(count_graph_nodes(got, "bias_relu") > 0);
        const bool pads = settings.pad_input_channels ||
                          (settings.pad_output_channels && head == Head::Classification);
        CHECK((count_graph_nodes(got, "pad") > 0) == pads);
        CHECK(count_graph_nodes(want, "bias_relu") + count_graph_nodes(want, "pad") == 0);

        REQUIRE(got.shape() == want.shape());
        CHECK(relative_gap(got, want) < kTolerance);
        CHECK(std::abs(got_loss.item() - want_loss.item()) <
              kTolerance * std::abs(want_loss.item()));
        CHECK(relative_gap(switched->decode(got), plain->decode(want)) < kTolerance);
        want_loss.backward();
        got_loss.backward();
        CHECK(relative_gap(x2.grad(), x.grad()) < kTolerance);
        check_gradients(*switched, *plain);

        // Same names, shapes and values (the batch norms' running statistics included).
        const StateDict a = switched->state_dict(), b = plain->state_dict();
        CHECK(state_dict_layout(*switched) == state_dict_layout(*plain));
        REQUIRE(a.size() == b.size());
        for (const auto& [key, value] : b) {
          INFO(key);
          REQUIRE(a.count(key));
          CHECK(a.at(key).shape() == value.shape());
          if (is_floating(value.dtype()))
            CHECK(relative_gap(a.at(key), value) <= kTolerance);
          else
            CHECK(a.at(key).to_vector<double>() == value.to_vector<double>());
        }
      }
}
