// The colorization networks (models/): output shapes for every model, head and width; the
// input and registry errors; parameter counts against hand-written formulas; eccv16's state
// dict against the public port's names and shapes (tests/fixtures/eccv16_state_dict.txt);
// both networks' forward (and eccv16's training backward) against PyTorch
// (tests/fixtures/models_forward.safetensors); one backward reaching every trainable
// parameter; the regression encodings, decoding and reproducibility from a seed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "framework/tint.h"
#include "gradcheck.h"
#include "kernels/ab_bins.h"
#include "kernels/annealed_mean.h"
#include "models/eccv16.h"
#include "models/registry.h"
#include "models/seed.h"

using namespace tint;
using namespace tint::models;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

// L in [0, 100), float32, (n, 1, h, w).
Tensor random_l(int64_t n, int64_t h, int64_t w, uint64_t seed) {
  Generator gen(seed);
  return rand({n, 1, h, w}, gen, {}, 0.0, 100.0);
}

// A fixture listing "name dim dim ..." per line ('#' lines are comments).
std::vector<std::pair<std::string, Shape>> read_layout(const std::string& file) {
  std::ifstream in(std::string(TINT_FIXTURE_DIR) + "/" + file);
  REQUIRE(in.good());
  std::vector<std::pair<std::string, Shape>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    Shape shape;
    int64_t d = 0;
    while (fields >> d) shape.push_back(d);
    out.emplace_back(name, shape);
  }
  return out;
}

// Parameter counts of the layers, as PyTorch counts them.
int64_t conv(int64_t in, int64_t out, int64_t k, bool bias = true) {
  return out * in * k * k + (bias ? out : 0);
}
int64_t bn(int64_t c) {
  return 2 * c;
}  // weight and bias; running stats are buffers

}  // namespace

TEST_CASE("every model, head and width maps 1 x H x W to H/4 x W/4", "[models]") {
  for (const std::string& name : model_names())
    for (Head head : {Head::Classification, Head::Regression})
      for (double width : {0.125, 0.25, 1.0}) {
        INFO(name << " " << head_name(head) << " width " << width);
        Generator gen(1);
        auto model = make_model(name, head, width, gen);
        CHECK(model->name() == name);
        CHECK(model->head() == head);
        CHECK(model->width() == width);
        const int64_t channels = head == Head::Classification ? 313 : 2;
        CHECK(model->output_channels() == channels);
        model->eval();
        NoGradGuard no_grad;
        const Tensor out = model->forward(random_l(1, 32, 32, 2));
        CHECK(out.shape() == Shape{1, channels, 8, 8});
        CHECK(out.dtype() == DType::Float32);
      }
  // Non-square, a batch, and training mode (batch statistics, dropout).
  Generator gen(3);
  for (const std::string& name : model_names()) {
    auto model = make_model(name, Head::Classification, 0.125, gen);
    model->train();
    CHECK(model->forward(random_l(2, 16, 24, 4)).shape() == Shape{2, 313, 4, 6});
  }
  // The regression heads' value ranges: seed's sigmoid keeps (ab + 128) / 255 in (0, 1).
  auto seed = make_model("seed", Head::Regression, 0.125, gen);
  const std::vector<float> v = seed->forward(random_l(2, 16, 16, 5)).to_vector<float>();
  for (float x : v) REQUIRE((x > 0.0f && x < 1.0f));
}

TEST_CASE("inputs the networks cannot take are clear errors", "[models]") {
  Generator gen(1);
  for (const std::string& name : model_names()) {
    INFO(name);
    auto model = make_model(name, Head::Classification, 0.125, gen);
    CHECK_THROWS_WITH(model->forward(random_l(1, 30, 32, 1)),
                      Contains(name) && Contains("multiples of 8") && Contains("[1, 1, 30, 32]"));
    CHECK_THROWS_WITH(model->forward(random_l(1, 32, 4, 1)), Contains("multiples of 8"));
    CHECK_THROWS_WITH(model->forward(zeros({1, 3, 32, 32})),
                      Contains("(N, 1, H, W)") && Contains("[1, 3, 32, 32]"));
    CHECK_THROWS_WITH(model->forward(zeros({1, 32, 32})), Contains("(N, 1, H, W)"));
    CHECK_THROWS_WITH(
        model->forward(zeros({1, 1, 32, 32}, TensorOptions{}.with_dtype(DType::Int64))),
        Contains("float32 or float64"));
  }
}

TEST_CASE("the registry builds models by name and lists them on a wrong one", "[models]") {
  CHECK(model_names() == std::vector<std::string>{"eccv16", "seed"});
  Generator gen(1);
  CHECK_THROWS_WITH(make_model("resnet", Head::Classification, 1.0, gen),
                    Contains("unknown model 'resnet'") && Contains("eccv16, seed"));
  CHECK_THROWS_WITH(make_model("seed", Head::Classification, 0.0, gen),
                    Contains("width multiplier must be a number in (0, 8], got 0"));
  // Past kMaxWidth a width is refused, not cast to channel counts out of range.
  CHECK_THROWS_WITH(make_model("seed", Head::Classification, 1e300, gen),
                    Contains("width multiplier must be a number in (0, 8], got 1e+300"));
  CHECK_THROWS_WITH(scaled_channels(512, kMaxWidth * 2), Contains("(0, 8]"));
  CHECK_THROWS_WITH(make_model("eccv16", Head::Regression, -1.0, gen), Contains("width"));
  CHECK_THROWS_WITH(make_model("eccv16", Head::Regression, std::nan(""), gen), Contains("width"));
  CHECK(dynamic_cast<Eccv16*>(make_model("eccv16", Head::Classification, 0.125, gen).get()));
  CHECK(dynamic_cast<Seed*>(make_model("seed", Head::Regression, 0.125, gen).get()));
  CHECK(parse_head("classification") == Head::Classification);
  CHECK(parse_head(head_name(Head::Regression)) == Head::Regression);
  CHECK_THROWS_WITH(parse_head("class"), Contains("'class'") && Contains("regression"));
  // Width scaling: rounded, at least one channel, heads never scaled.
  CHECK(scaled_channels(64, 0.125) == 8);
  CHECK(scaled_channels(64, 1.0 / 64) == 1);
  CHECK(scaled_channels(64, 1e-3) == 1);
  CHECK(scaled_channels(313, 1.0) == 313);
  CHECK(scaled_channels(10, 0.25) == 3);  // 2.5 rounds up
}

TEST_CASE("parameter counts follow the architectures", "[models]") {
  Generator gen(1);
  // seed, classification, full width.
  const int64_t seed_trunk = conv(1, 64, 3) + conv(64, 64, 3) + bn(64) +            // 1
                             conv(64, 128, 3) + conv(128, 128, 3) + bn(128) +       // 2
                             conv(128, 256, 3) + 2 * conv(256, 256, 3) + bn(256) +  // 3
                             conv(256, 512, 3) + 2 * conv(512, 512, 3) + bn(512) +  // 4
                             2 * (3 * conv(512, 512, 3) + bn(512)) +                // 5, 6
                             conv(512, 256, 3) + 2 * conv(256, 256, 3) + bn(256) +  // 7
                             conv(256, 128, 3) + 2 * conv(128, 128, 3);             // 8
  CHECK(Seed(Head::Classification, 1.0, gen).parameter_count() ==
        seed_trunk + conv(128, 313, 1, false));
  CHECK(Seed(Head::Regression, 1.0, gen).parameter_count() == seed_trunk + conv(128, 2, 1));

  // eccv16 at width 0.25 (channels 16, 32, 64, 128), classification with model_out.
  const int64_t eccv16_quarter = conv(1, 16, 3) + conv(16, 16, 3) + bn(16) + conv(16, 32, 3) +
                                 conv(32, 32, 3) + bn(32) + conv(32, 64, 3) + 2 * conv(64, 64, 3) +
                                 bn(64) + conv(64, 128, 3) + 2 * conv(128, 128, 3) + bn(128) +
                                 3 * (3 * conv(128, 128, 3) + bn(128)) + (128 * 64 * 4 * 4 + 64) +
                                 2 * conv(64, 64, 3);  // model8: deconv 4x4, two convs
  Eccv16 quarter(Head::Classification, 0.25, gen);
  CHECK(quarter.parameter_count() == eccv16_quarter + conv(64, 313, 1) + 313 * 2);
  // model_out is fixed: not among the trainable parameters.
  int64_t trainable = 0;
  for (const auto& [name, p] : quarter.trainable_parameters()) trainable += p.numel();
  CHECK(trainable == eccv16_quarter + conv(64, 313, 1));
  CHECK(Eccv16(Head::Regression, 0.25, gen).parameter_count() == eccv16_quarter + conv(64, 2, 1));
}

TEST_CASE("eccv16's state dict has the public port's names and shapes, and loads", "[models]") {
  const auto reference = read_layout("eccv16_state_dict.txt");
  REQUIRE(reference.size() == 82);  // 7 blocks (73), model8 (8), model_out
  Generator gen(1);
  Eccv16 model(Head::Classification, 1.0, gen);
  const auto layout = state_dict_layout(model);
  REQUIRE(layout.size() == reference.size());
  for (size_t i = 0; i < layout.size(); ++i) {
    INFO("entry " << i);
    CHECK(layout[i].first == reference[i].first);
    CHECK(layout[i].second == reference[i].second);
  }
  CHECK(layout.back().first == "model_out.weight");
  // The port's parameter count (everything but the BN buffers), 32.2M parameters.
  int64_t expected = 0;
  for (const auto& [name, shape] : reference)
    if (name.find("running_") == std::string::npos && name.find("num_batches") == std::string::npos)
      expected += shape_numel(shape);
  CHECK(model.parameter_count() == expected);

  // A state dict under exactly those names loads strictly, values arriving in place.
  StateDict state;
  Generator values(9);
  for (const auto& [name, shape] : reference) {
    state[name] = name.find("num_batches_tracked") != std::string::npos
                      ? scalar_tensor(12, TensorOptions{}.with_dtype(DType::Int64))
                      : rand(shape, values, {}, 0.5, 1.5);
  }
  model.load_state_dict(state, /*strict=*/true);
  const StateDict live = model.state_dict();
  CHECK(max_abs_diff(live.at("model8.6.weight"), state.at("model8.6.weight")) == 0.0);
  CHECK(max_abs_diff(live.at("model_out.weight"), state.at("model_out.weight")) == 0.0);
  CHECK(max_abs_diff(live.at("model5.0.bias"), state.at("model5.0.bias")) == 0.0);
  CHECK(live.at("model3.6.num_batches_tracked").item() == 12);
  // A missing or foreign name is refused (strict).
  StateDict missing = state;
  missing.erase("model4.2.weight");
  CHECK_THROWS_WITH(model.load_state_dict(missing), Contains("model4.2.weight"));
  StateDict extra = state;
  extra["model8.7.weight"] = zeros({1});
  CHECK_THROWS_WITH(model.load_state_dict(extra), Contains("model8.7.weight"));

  // seed's layout, written by the same script, guards it against accidental renames.
  const auto seed_reference = read_layout("seed_state_dict.txt");
  const auto seed_layout = state_dict_layout(Seed(Head::Classification, 1.0, gen));
  REQUIRE(seed_layout.size() == seed_reference.size());
  for (size_t i = 0; i < seed_layout.size(); ++i) {
    INFO("seed entry " << i);
    CHECK(seed_layout[i] == seed_reference[i]);
  }
}

TEST_CASE("eccv16 and seed compute what PyTorch computes", "[models][reference]") {
  const SafetensorsFile file =
      load_safetensors(std::string(TINT_FIXTURE_DIR) + "/models_forward.safetensors");
  const auto cases =
      nlohmann::json::parse(file.metadata.at("cases")).get<std::vector<std::string>>();
  REQUIRE(cases.size() == 2);
  for (const std::string& name : cases) {
    INFO(name);
    const auto options = nlohmann::json::parse(file.metadata.at(name));
    Generator gen(1);
    auto model = make_model(options.at("model").get<std::string>(),
                            parse_head(options.at("head").get<std::string>()),
                            options.at("width").get<double>(), gen);
    model->to(DType::Float64);
    StateDict state;
    const std::string prefix = name + ".state.";
    for (const auto& [key, t] : file.tensors)
      if (key.rfind(prefix, 0) == 0) state[key.substr(prefix.size())] = t.clone();
    REQUIRE(state.size() == model->state_dict().size());
    model->load_state_dict(state);  // strict: every name of PyTorch's module is tint's too

    const Tensor input = file.tensors.at(name + ".input");
    model->eval();
    {
      NoGradGuard no_grad;
      const Tensor out = model->forward(input);
      CHECK(relative_gap(out, file.tensors.at(name + ".out")) < 1e-10);
      if (file.tensors.count(name + ".port_ab")) {
        auto* eccv16 = dynamic_cast<Eccv16*>(model.get());
        REQUIRE(eccv16);
        CHECK(relative_gap(eccv16->port_decode(out), file.tensors.at(name + ".port_ab")) < 1e-10);
      }
    }
    if (file.tensors.count(name + ".train.out")) {
      model->train();
      Tensor x = input.clone().set_requires_grad();
      const Tensor out = model->forward(x);
      CHECK(relative_gap(out, file.tensors.at(name + ".train.out")) < 1e-10);
      sum(out * file.tensors.at(name + ".train.proj")).backward();
      REQUIRE(x.grad().defined());
      CHECK(relative_gap(x.grad(), file.tensors.at(name + ".train.grad.input")) < 1e-9);
    }
  }
}

TEST_CASE("one backward reaches every trainable parameter", "[models]") {
  for (const std::string& name : model_names())
    for (Head head : {Head::Classification, Head::Regression}) {
      INFO(name << " " << head_name(head));
      Generator gen(11);
      auto model = make_model(name, head, 1.0 / 16, gen);
      model->train();
      const Tensor out = model->forward(random_l(2, 16, 16, 12));
      Generator rgen(13);
      sum(out * rand(out.shape(), rgen, {}, 0.5, 1.5)).backward();
      const NamedParameters trainable = model->trainable_parameters();
      for (const auto& [pname, p] : trainable) {
        INFO(pname);
        REQUIRE(p.grad().defined());
        CHECK(p.grad().shape() == p.shape());
        const std::vector<float> g = p.grad().to_vector<float>();
        CHECK(std::any_of(g.begin(), g.end(), [](float v) { return v != 0.0f; }));
      }
      // Only eccv16's fixed decoding weights are left out, and they get no gradient.
      const NamedParameters all = model->named_parameters();
      const bool fixed = name == "eccv16" && head == Head::Classification;
      CHECK(all.size() == trainable.size() + (fixed ? 1 : 0));
      if (fixed) {
        CHECK(all.back().first == "model_out.weight");
        CHECK_FALSE(all.back().second.grad().defined());
        CHECK_FALSE(all.back().second.requires_grad());
      }
    }
}

TEST_CASE("input normalisation, regression encodings and decoding", "[models]") {
  Generator gen(1);
  auto eccv16 = make_model("eccv16", Head::Regression, 0.125, gen);
  auto seed = make_model("seed", Head::Regression, 0.125, gen);
  const Tensor L = from_vector<double>({0, 50, 100}, {1, 1, 1, 3});
  CHECK(eccv16->normalize_input(L).to_vector<double>() == std::vector<double>{-0.5, 0, 0.5});
  CHECK(seed->normalize_input(L).to_vector<double>() == std::vector<double>{0, 0.5, 1});

  const Tensor ab = from_vector<double>({-128, 0, 127, -110, 55, 110}, {1, 2, 1, 3});
  const std::vector<double> e = eccv16->encode_regression_target(ab).to_vector<double>();
  CHECK(e[3] == Approx(-1.0));
  CHECK(e[5] == Approx(1.0));
  const std::vector<double> s = seed->encode_regression_target(ab).to_vector<double>();
  CHECK(s[0] == Approx(0.0).margin(1e-15));  // (ab + 128) / 255
  CHECK(s[2] == Approx(1.0));
  for (auto* m : {eccv16.get(), seed.get()}) {
    INFO(m->name());
    CHECK(max_abs_diff(m->decode_regression(m->encode_regression_target(ab)), ab) < 1e-12);
    // decode() of a regression output is decode_regression, without gradient.
    const Tensor out = m->encode_regression_target(ab).set_requires_grad();
    const Tensor decoded = m->decode(out);
    CHECK_FALSE(decoded.requires_grad());
    CHECK(max_abs_diff(decoded, ab) < 1e-12);
  }
  // decode_regression is differentiable, for an L2 loss in Lab units.
  Tensor y = from_vector<double>({0.5, 0.25}, {1, 2, 1, 1}).set_requires_grad();
  sum(seed->decode_regression(y)).backward();
  CHECK(y.grad().to_vector<double>() == std::vector<double>{255, 255});

  // Classification: decode is the annealed mean; the regression helpers are errors.
  auto cls = make_model("seed", Head::Classification, 0.125, gen);
  const Tensor logits = randn({1, 313, 2, 3}, gen, kF64);
  CHECK(max_abs_diff(cls->decode(logits), color::annealed_mean(logits, 0.38)) == 0.0);
  CHECK(max_abs_diff(cls->decode(logits, 1.0), color::annealed_mean(logits, 1.0)) == 0.0);
  CHECK_THROWS_WITH(cls->decode_regression(logits), Contains("regression head"));
  CHECK_THROWS_WITH(cls->encode_regression_target(ab), Contains("regression head"));
  CHECK_THROWS_WITH(cls->decode(ab), Contains("(N, 313, h, w)"));
}

TEST_CASE("eccv16's port decoding is the annealed mean with its fixed weights", "[models]") {
  Generator gen(1);
  Eccv16 model(Head::Classification, 0.125, gen);
  // model_out holds the bin centres / 110.
  const Tensor w = model.state_dict().at("model_out.weight");
  const color::AbBins& bins = color::AbBins::standard();
  const std::vector<float> wv = w.to_vector<float>();
  CHECK(wv[7] == Approx(bins.a(7) / 110.0));
  CHECK(wv[313 + 200] == Approx(bins.b(200) / 110.0));
  // softmax then the centres: the plain mean (T = 1); Zhang's 2.606 scaling gives T = 0.38.
  const Tensor logits = randn({2, 313, 3, 2}, gen, {}, 0.0, 2.0);
  CHECK(max_abs_diff(model.port_decode(logits), color::annealed_mean(logits, 1.0)) < 1e-4);
  CHECK(max_abs_diff(model.port_decode(logits * (1.0 / 0.38)), color::annealed_mean(logits)) <
        1e-4);
  Eccv16 regression(Head::Regression, 0.125, gen);
  CHECK_THROWS_WITH(regression.port_decode(logits), Contains("classification head"));
  CHECK_THROWS_WITH(model.port_decode(logits.slice(1, 0, 2)), Contains("(N, 313, h, w)"));
}

TEST_CASE("a seed fixes a model's weights and dropout masks", "[models]") {
  const Tensor L = random_l(2, 16, 16, 3);
  auto run = [&](uint64_t seed) {
    Generator gen(seed);
    auto model = make_model("seed", Head::Classification, 0.125, gen);
    model->train();  // dropout on
    NoGradGuard no_grad;
    return model->forward(L);
  };
  CHECK(max_abs_diff(run(4), run(4)) == 0.0);
  CHECK(max_abs_diff(run(4), run(5)) > 0.0);
  // Dropout is active in training and off in eval: two training passes differ, eval's agree.
  Generator gen(6);
  auto model = make_model("seed", Head::Classification, 0.125, gen);
  NoGradGuard no_grad;
  model->train();
  const Tensor a = model->forward(L), b = model->forward(L);
  CHECK(max_abs_diff(a, b) > 0.0);
  model->eval();
  CHECK(max_abs_diff(model->forward(L), model->forward(L)) == 0.0);
}

TEST_CASE("the full-width networks run a 32 x 32 forward", "[models]") {
  Generator gen(1);
  for (const std::string& name : model_names()) {
    INFO(name);
    auto model = make_model(name, Head::Classification, 1.0, gen);
    model->train();
    const Tensor out = model->forward(random_l(2, 32, 32, 2));
    CHECK(out.shape() == Shape{2, 313, 8, 8});
    sum(out).backward();
    CHECK(model->named_parameters().front().second.grad().defined());
  }
}
