// nn: PyTorch's state-dict names for nested modules, parameter counts by formula,
// load_state_dict's checks, train/eval propagation, Module::to keeping handles, weight-init
// statistics, and the layers' forward passes (which need the conv/bn/dropout/upsample ops).
#include <catch2/catch.hpp>

#include <cmath>

#include "framework/nn/init.h"
#include "framework/nn/layers.h"
#include "framework/tint.h"

using namespace tint;
using Catch::Matchers::Contains;

namespace {

// The network PyTorch would build as
//   self.model1 = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
//                               nn.Sequential(nn.Conv2d(8, 4, 3, bias=False),
//                                             nn.BatchNorm2d(4, affine=False)))
//   self.head = nn.ConvTranspose2d(4, 2, 4, stride=2)
struct Net : nn::Module {
  std::shared_ptr<nn::Sequential> model1;
  std::shared_ptr<nn::ConvTranspose2d> head;
  Net() {
    Conv2dOptions pad1;
    pad1.padding = 1;
    nn::BatchNormOptions no_affine;
    no_affine.affine = false;
    model1 = register_module(
        "model1",
        std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
            std::make_shared<nn::Conv2d>(1, 8, 3, pad1), std::make_shared<nn::BatchNorm2d>(8),
            std::make_shared<nn::ReLU>(),
            std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                std::make_shared<nn::Conv2d>(8, 4, 3, Conv2dOptions{}, /*bias=*/false),
                std::make_shared<nn::BatchNorm2d>(4, no_affine)})}));
    ConvTranspose2dOptions stride2;
    stride2.stride = 2;
    head = register_module("head", std::make_shared<nn::ConvTranspose2d>(4, 2, 4, stride2));
  }
  Tensor forward(const Tensor& x) override { return (*head)(model1->forward(x)); }
};

std::vector<std::string> names_of(const NamedParameters& list) {
  std::vector<std::string> out;
  for (const auto& [name, t] : list) out.push_back(name);
  return out;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double std_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

}  // namespace

TEST_CASE("names of nested modules match PyTorch's state_dict keys", "[nn]") {
  Net net;
  // Strings as printed by PyTorch for the same network (see Net's comment).
  CHECK(names_of(net.named_parameters()) ==
        std::vector<std::string>{"model1.0.weight", "model1.0.bias", "model1.1.weight",
                                 "model1.1.bias", "model1.3.0.weight", "head.weight",
                                 "head.bias"});
  CHECK(names_of(net.named_buffers()) ==
        std::vector<std::string>{"model1.1.running_mean", "model1.1.running_var",
                                 "model1.1.num_batches_tracked", "model1.3.1.running_mean",
                                 "model1.3.1.running_var", "model1.3.1.num_batches_tracked"});
  const StateDict sd = net.state_dict();
  CHECK(sd.size() == 13);
  REQUIRE(sd.count("model1.1.num_batches_tracked"));
  const Tensor nbt = sd.at("model1.1.num_batches_tracked");
  CHECK(nbt.dtype() == DType::Int64);
  CHECK(nbt.shape() == Shape{});
  CHECK(nbt.item() == 0);
  CHECK(sd.at("model1.0.weight").shape() == Shape{8, 1, 3, 3});
  CHECK(sd.at("head.weight").shape() == Shape{4, 2, 4, 4});  // (C_in, C_out, kH, kW)
  CHECK(sd.at("model1.1.running_var").to_vector<float>() == std::vector<float>(8, 1.0f));
  CHECK(sd.at("model1.1.running_mean").to_vector<float>() == std::vector<float>(8, 0.0f));
  // Parameters are leaves that require grad; buffers do not.
  for (const auto& [name, p] : net.named_parameters()) {
    CHECK(p.requires_grad());
    CHECK(p.is_leaf());
  }
  CHECK_FALSE(sd.at("model1.1.running_mean").requires_grad());
}

TEST_CASE("parameter counts follow the layer formulas", "[nn]") {
  CHECK(nn::Conv2d(3, 64, 3).parameter_count() == 64 * 3 * 3 * 3 + 64);
  CHECK(nn::Conv2d(3, 64, Pair{3, 5}, {}, false).parameter_count() == 64 * 3 * 3 * 5);
  CHECK(nn::ConvTranspose2d(64, 32, 4).parameter_count() == 64 * 32 * 4 * 4 + 32);
  CHECK(nn::Linear(10, 5).parameter_count() == 10 * 5 + 5);
  CHECK(nn::Linear(10, 5, false).parameter_count() == 50);
  CHECK(nn::BatchNorm2d(64).parameter_count() == 2 * 64);
  nn::BatchNormOptions plain;
  plain.affine = false;
  CHECK(nn::BatchNorm2d(64, plain).parameter_count() == 0);
  CHECK(nn::BatchNorm2d(64, plain).named_buffers().size() == 3);
  plain.track_running_stats = false;
  CHECK(nn::BatchNorm2d(64, plain).named_buffers().empty());
  Net net;
  const int64_t expected = (8 * 1 * 9 + 8) + 2 * 8 + (4 * 8 * 9) + (4 * 2 * 16 + 2);
  CHECK(net.parameter_count() == expected);
  CHECK(net.parameters().size() == 7);
}

TEST_CASE("registration rejects bad and repeated names", "[nn]") {
  struct Bad : nn::Module {
    explicit Bad(int which) {
      register_parameter("w", zeros({2}));
      if (which == 0) register_parameter("w", zeros({2}));
      if (which == 1) register_buffer("a.b", zeros({2}));
      if (which == 2) register_module("w", std::make_shared<nn::ReLU>());
      if (which == 3) register_parameter("", zeros({2}));
    }
    Tensor forward(const Tensor& x) override { return x; }
  };
  CHECK_THROWS_WITH(Bad(0), Contains("'w'") && Contains("already registered"));
  CHECK_THROWS_WITH(Bad(1), Contains("'a.b'"));
  CHECK_THROWS_WITH(Bad(2), Contains("already registered"));
  CHECK_THROWS_AS(Bad(3), Error);
  CHECK_NOTHROW(Bad(4));
}

TEST_CASE("load_state_dict copies values and reports unknown, missing and misshapen keys",
          "[nn]") {
  Net a, b;
  const Tensor b_weight = b.model1->named_parameters()[0].second;  // model1.0.weight
  REQUIRE(a.state_dict().at("model1.0.weight").to_vector<float>() !=
          b_weight.to_vector<float>());

  b.load_state_dict(a.state_dict());
  // Values copied into the existing tensor: the handle taken before the load sees them.
  CHECK(b_weight.to_vector<float>() == a.state_dict().at("model1.0.weight").to_vector<float>());
  CHECK(b_weight.requires_grad());

  StateDict unknown = a.state_dict();
  unknown["model1.9.weight"] = zeros({1});
  CHECK_THROWS_WITH(b.load_state_dict(unknown),
                    Contains("'model1.9.weight'") && Contains("not a parameter or buffer"));
  CHECK_NOTHROW(b.load_state_dict(unknown, /*strict=*/false));

  StateDict missing = a.state_dict();
  missing.erase("model1.1.running_var");
  CHECK_THROWS_WITH(b.load_state_dict(missing),
                    Contains("'model1.1.running_var'") && Contains("missing"));
  CHECK_NOTHROW(b.load_state_dict(missing, /*strict=*/false));

  StateDict misshapen = a.state_dict();
  misshapen["model1.0.weight"] = zeros({8, 1, 5, 5});
  misshapen["head.bias"] = full({2}, 7.0);
  const std::vector<float> before = b_weight.to_vector<float>();
  CHECK_THROWS_WITH(b.load_state_dict(misshapen),
                    Contains("'model1.0.weight'") && Contains("[8, 1, 5, 5]") &&
                        Contains("[8, 1, 3, 3]"));
  // Shapes are checked even when not strict, and a failed load changes nothing.
  CHECK_THROWS_WITH(b.load_state_dict(misshapen, false), Contains("[8, 1, 5, 5]"));
  CHECK(b_weight.to_vector<float>() == before);
  CHECK(b.state_dict().at("head.bias").to_vector<float>() != std::vector<float>{7, 7});

  StateDict wrong_kind = a.state_dict();
  wrong_kind["model1.0.bias"] = zeros({8}, TensorOptions{}.with_dtype(DType::Int64));
  CHECK_THROWS_WITH(b.load_state_dict(wrong_kind), Contains("'model1.0.bias'") &&
                                                       Contains("int64") && Contains("float32"));
}

TEST_CASE("load_state_dict converts floating dtypes and keeps num_batches_tracked int64",
          "[nn]") {
  nn::BatchNorm2d bn(3);
  StateDict sd;
  sd["weight"] = from_vector<double>({1.5, 2.5, 3.5}, {3});
  sd["bias"] = from_vector<double>({-1, 0, 1}, {3});
  sd["running_mean"] = from_vector<double>({0.25, 0.5, 0.75}, {3});
  sd["running_var"] = from_vector<double>({2, 3, 4}, {3});
  sd["num_batches_tracked"] = scalar_tensor(17, TensorOptions{}.with_dtype(DType::Int32));
  bn.load_state_dict(sd);
  CHECK(bn.weight().dtype() == DType::Float32);
  CHECK(bn.weight().to_vector<float>() == std::vector<float>{1.5f, 2.5f, 3.5f});
  CHECK(bn.running_var().to_vector<float>() == std::vector<float>{2, 3, 4});
  CHECK(bn.num_batches_tracked().dtype() == DType::Int64);
  CHECK(bn.num_batches_tracked().item() == 17);
}

TEST_CASE("train and eval propagate to every descendant", "[nn]") {
  Net net;
  auto inner = std::dynamic_pointer_cast<nn::Sequential>((*net.model1)[3]);
  REQUIRE(inner);
  auto deep_bn = (*inner)[1];
  CHECK(net.is_training());
  CHECK(deep_bn->is_training());
  net.eval();
  CHECK_FALSE(net.is_training());
  CHECK_FALSE(net.model1->is_training());
  CHECK_FALSE(deep_bn->is_training());
  CHECK_FALSE(net.head->is_training());
  net.train();
  CHECK(deep_bn->is_training());
  CHECK_THROWS_WITH((*net.model1)[9], Contains("out of range"));
}

TEST_CASE("Module::to(dtype) converts in place so existing handles follow", "[nn]") {
  Net net;
  const Tensor w = net.head->weight();
  const std::vector<double> values = w.to_vector<double>();
  w.set_grad(ones(w.shape()));
  const StateDict before = net.state_dict();
  net.to(DType::Float64);
  CHECK(w.dtype() == DType::Float64);
  CHECK(net.head->weight().same(w));
  CHECK(w.to_vector<double>() == values);  // float32 -> float64 is exact
  CHECK(w.requires_grad());
  CHECK(w.grad().dtype() == DType::Float64);
  CHECK(net.state_dict().at("model1.1.running_mean").dtype() == DType::Float64);
  CHECK(net.state_dict().at("model1.1.num_batches_tracked").dtype() == DType::Int64);
  CHECK_THROWS_WITH(net.to(DType::Int32), Contains("floating"));
  net.zero_grad();
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("shared parameters are listed once", "[nn]") {
  struct Tied : nn::Module {
    std::shared_ptr<nn::Linear> a = register_module("a", std::make_shared<nn::Linear>(3, 3));
    std::shared_ptr<nn::Sequential> s =
        register_module("s", std::make_shared<nn::Sequential>(
                                 std::initializer_list<nn::ModulePtr>{a, a}));
    Tensor forward(const Tensor& x) override { return x; }
  };
  Tied t;
  CHECK(names_of(t.named_parameters()) == std::vector<std::string>{"a.weight", "a.bias"});
  CHECK(t.parameter_count() == 12);
  CHECK(t.state_dict().count("s.1.weight"));  // the state dict keeps every name
}

// ---- init ----------------------------------------------------------------------------------

TEST_CASE("gains and fans follow torch.nn.init", "[nn]") {
  using namespace nn::init;
  CHECK(calculate_gain(Nonlinearity::ReLU) == Approx(std::sqrt(2.0)));
  CHECK(calculate_gain(Nonlinearity::Tanh) == Approx(5.0 / 3.0));
  CHECK(calculate_gain(Nonlinearity::LeakyReLU, 0.2) == Approx(std::sqrt(2.0 / 1.04)));
  CHECK(calculate_gain(Nonlinearity::Linear) == 1.0);
  CHECK(fan_in_and_fan_out({64, 32, 3, 5}) == std::pair<int64_t, int64_t>{32 * 15, 64 * 15});
  CHECK(fan_in_and_fan_out({10, 20}) == std::pair<int64_t, int64_t>{20, 10});
  CHECK_THROWS_WITH(fan_in_and_fan_out({10}), Contains("[10]"));
}

TEST_CASE("kaiming and xavier draws have the prescribed spread", "[nn]") {
  using namespace nn::init;
  Generator gen(42);
  // 262144 draws: the sample std is within ~0.3% of the true one (3 sigma), 2% is ample.
  Tensor w = Tensor::empty({256, 128, 2, 4}, DType::Float64);
  const double fan_in = 128 * 8, fan_out = 256 * 8;

  kaiming_normal_(w, gen);
  std::vector<double> v = w.to_vector<double>();
  CHECK(std_of(v) == Approx(std::sqrt(2.0) / std::sqrt(fan_in)).epsilon(0.02));
  CHECK(std::abs(mean_of(v)) < 0.01 * std::sqrt(2.0 / fan_in));

  kaiming_normal_(w, gen, 0.0, FanMode::FanOut, Nonlinearity::ReLU);
  CHECK(std_of(w.to_vector<double>()) == Approx(std::sqrt(2.0 / fan_out)).epsilon(0.02));

  kaiming_uniform_(w, gen);
  v = w.to_vector<double>();
  const double bound = std::sqrt(3.0) * std::sqrt(2.0 / fan_in);
  CHECK(std_of(v) == Approx(std::sqrt(2.0 / fan_in)).epsilon(0.02));
  CHECK(*std::max_element(v.begin(), v.end()) <= bound);
  CHECK(*std::max_element(v.begin(), v.end()) > 0.99 * bound);
  CHECK(*std::min_element(v.begin(), v.end()) >= -bound);

  xavier_uniform_(w, gen, 2.0);
  CHECK(std_of(w.to_vector<double>()) ==
        Approx(2.0 * std::sqrt(2.0 / (fan_in + fan_out))).epsilon(0.02));
  xavier_normal_(w, gen);
  CHECK(std_of(w.to_vector<double>()) == Approx(std::sqrt(2.0 / (fan_in + fan_out))).epsilon(0.02));

  Tensor empty = Tensor::empty({0, 3});
  CHECK_NOTHROW(kaiming_uniform_(empty, gen));
  CHECK_THROWS_WITH(kaiming_uniform_(zeros({3, 3}, TensorOptions{}.with_dtype(DType::Int64)), gen),
                    Contains("int64"));
}

TEST_CASE("layers use PyTorch's default init and are reproducible from a seed", "[nn]") {
  // kaiming_uniform(a = sqrt(5)) has bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in), so
  // weights and biases share the bound 1 / sqrt(fan_in) and the std bound / sqrt(3).
  auto check_layer = [](const Tensor& w, const Tensor& b, double fan_in) {
    const double bound = 1.0 / std::sqrt(fan_in);
    const std::vector<double> wv = w.to_vector<double>(), bv = b.to_vector<double>();
    for (double x : wv) REQUIRE(std::abs(x) <= bound);
    for (double x : bv) REQUIRE(std::abs(x) <= bound);
    CHECK(std_of(wv) == Approx(bound / std::sqrt(3.0)).epsilon(0.03));
    CHECK(*std::max_element(wv.begin(), wv.end()) > 0.98 * bound);
  };
  Generator gen(7);
  nn::Linear lin(300, 200, true, gen);
  check_layer(lin.weight(), lin.bias(), 300);
  nn::Conv2d conv(16, 64, 3, {}, true, gen);
  check_layer(conv.weight(), conv.bias(), 16 * 9);
  // Transposed: weight (C_in, C_out, k, k) so PyTorch's fan_in is C_out * k * k.
  nn::ConvTranspose2d deconv(64, 16, 4, {}, true, gen);
  check_layer(deconv.weight(), deconv.bias(), 16 * 16);

  Generator g1(99), g2(99), g3(100);
  nn::Linear x(8, 8, true, g1), y(8, 8, true, g2), z(8, 8, true, g3);
  CHECK(x.weight().to_vector<float>() == y.weight().to_vector<float>());
  CHECK(x.bias().to_vector<float>() == y.bias().to_vector<float>());
  CHECK(x.weight().to_vector<float>() != z.weight().to_vector<float>());
  CHECK_THROWS_WITH(nn::Linear(0, 3), Contains("in_features"));
  CHECK_THROWS_WITH(nn::Dropout(1.5), Contains("[0, 1]"));
}

// ---- forward passes (need the ops) ----------------------------------------------------------

TEST_CASE("Linear and ReLU in a Sequential compute relu(x W^T + b)", "[nn]") {
  auto lin = std::make_shared<nn::Linear>(2, 2);
  nn::Sequential seq{lin, std::make_shared<nn::ReLU>()};
  StateDict sd;
  sd["0.weight"] = from_vector<float>({1, 2, -3, 4}, {2, 2});
  sd["0.bias"] = from_vector<float>({0.5f, -1}, {2});
  seq.load_state_dict(sd);
  const Tensor y = seq(from_vector<float>({1, 1, 2, -1}, {2, 2}));
  // Row 1: (1 + 2 + 0.5, -3 + 4 - 1) = (3.5, 0); row 2: (2 - 2 + 0.5, -6 - 4 - 1) -> (0.5, 0).
  CHECK(y.to_vector<float>() == std::vector<float>{3.5f, 0, 0.5f, 0});
}

TEST_CASE("Conv2d and ConvTranspose2d call the ops with their weights and options", "[nn]") {
  Conv2dOptions opts;
  opts.padding = 1;
  opts.stride = 2;
  nn::Conv2d conv(2, 3, 3, opts);
  Generator gen(3);
  const Tensor x = randn({1, 2, 5, 5}, gen);
  const Tensor y = conv(x);
  CHECK(y.shape() == Shape{1, 3, 3, 3});
  CHECK(y.to_vector<float>() == conv2d(x, conv.weight(), conv.bias(), opts).to_vector<float>());

  ConvTranspose2dOptions topts;
  topts.stride = 2;
  topts.padding = 1;
  nn::ConvTranspose2d deconv(3, 2, 4, topts);
  CHECK(deconv(y).shape() == Shape{1, 2, 6, 6});  // (3 - 1) * 2 - 2 + 4
}

TEST_CASE("BatchNorm2d updates running statistics as PyTorch", "[nn]") {
  // One channel, batch {1, 2, 3, 6}: mean 3, biased var 3.5, unbiased var 14/3.
  const Tensor x = from_vector<float>({1, 2, 3, 6}, {2, 1, 1, 2});
  nn::BatchNorm2d bn(1);
  const Tensor y = bn(x);
  CHECK(bn.running_mean().item() == Approx(0.1 * 3));
  CHECK(bn.running_var().item() == Approx(0.9 * 1 + 0.1 * 14.0 / 3.0));
  CHECK(bn.num_batches_tracked().item() == 1);
  CHECK(y.to_vector<float>()[3] == Approx((6 - 3) / std::sqrt(3.5 + 1e-5)).epsilon(1e-4));
  bn.eval();
  const Tensor ye = bn(x);
  CHECK(bn.num_batches_tracked().item() == 1);
  const double rm = 0.3, rv = 0.9 + 0.1 * 14.0 / 3.0;
  CHECK(ye.to_vector<float>()[0] == Approx((1 - rm) / std::sqrt(rv + 1e-5)).epsilon(1e-4));

  nn::BatchNormOptions cumulative;
  cumulative.momentum = std::nullopt;  // running averages over all batches
  nn::BatchNorm2d avg(1, cumulative);
  avg(x);
  avg(x * 3.0);  // mean 9, unbiased var 9 * 14/3 = 42
  CHECK(avg.running_mean().item() == Approx((3.0 + 9.0) / 2));
  CHECK(avg.running_var().item() == Approx((14.0 / 3.0 + 42.0) / 2));
  CHECK(avg.num_batches_tracked().item() == 2);
}

TEST_CASE("Dropout is reproducible from its seed and the identity in eval", "[nn]") {
  const Tensor x = ones({1000});
  nn::Dropout a(0.5, 11), b(0.5, 11), c(0.5, 12);
  const std::vector<float> ya = a(x).to_vector<float>();
  CHECK(ya == b(x).to_vector<float>());
  CHECK(ya != c(x).to_vector<float>());
  int kept = 0;
  for (float v : ya) {
    REQUIRE((v == 0.0f || v == 2.0f));
    kept += v != 0.0f;
  }
  CHECK(kept > 400);
  CHECK(kept < 600);
  CHECK(a(x).to_vector<float>() != ya);  // the generator advances
  a.eval();
  CHECK(a(x).to_vector<float>() == x.to_vector<float>());
}

TEST_CASE("Upsample by scale or to a size", "[nn]") {
  const Tensor x = from_vector<float>({1, 2, 3, 4}, {1, 1, 2, 2});
  nn::Upsample up(UpsampleSize::scale(2));
  CHECK(up(x).to_vector<float>() ==
        std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  nn::Upsample bil(UpsampleSize::size(4, 4), nn::UpsampleMode::Bilinear);
  const std::vector<float> y = bil(x).to_vector<float>();
  REQUIRE(y.size() == 16);
  // align_corners=false: output (1, 1) samples source (0.25, 0.25).
  CHECK(y[5] == Approx(1 + 0.25 * 1 + 0.25 * 2));
  CHECK(y[0] == Approx(1.0));  // clamped at the border
  CHECK_THROWS_WITH(nn::Upsample(UpsampleSize{}), Contains("Upsample"));
}
