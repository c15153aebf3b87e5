// Reference values: tint's ops against PyTorch 1.13, through the fixtures that
// tests/fixtures/make_fixtures.py writes (see tests/fixtures/README.md). Each case checks the
// forward output and the gradients of sum(output * P) for the stored random P, so the whole
// vector-Jacobian product is compared, not only a ones gradient. Also safetensors interop:
// files written by the Python writer load here, and [interop-write] writes the file that
// tests/fixtures/check_tint_safetensors.py then validates with a strict reader and torch.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>  // getpid, for a per-process temp file name
#include <vector>

#include "framework/optim/adam.h"
#include "framework/tint.h"

using namespace tint;
using nlohmann::json;

namespace {

// Tolerances, as max|tint - torch| <= rtol * max|torch| over a whole tensor (a norm-wise
// relative error: element-wise relative error is meaningless where values pass through zero,
// e.g. batch-norm input gradients, which are differences of nearly equal terms).
// float64: every op here sums at most a few hundred terms, so a different but correct
// summation order moves results by ~1e-14 of the largest value; 1e-10 leaves that room while
// any semantic slip (an index off by one, a wrong scale rule) shows up near 1e-2.
constexpr double kRtolF64 = 1e-10;
// float32: epsilon 6e-8 grows with the reduction length (27 conv taps, 126 positions per
// batch-norm channel) and batch norm's division by the standard deviation.
constexpr double kRtolF32 = 1e-5;

// One fixture file: tensors "<case>.<role>" and metadata {"cases": [...], <case>: {options}}.
class Fixture {
 public:
  explicit Fixture(const std::string& group)
      : group_(group), file_(load_safetensors(std::string(TINT_FIXTURE_DIR) + "/" + group +
                                              ".safetensors")) {}

  std::vector<std::string> cases() const {
    return json::parse(meta("cases")).get<std::vector<std::string>>();
  }
  json options(const std::string& name) const { return json::parse(meta(name)); }
  bool has(const std::string& name, const std::string& role) const {
    return file_.tensors.count(name + "." + role) > 0;
  }
  // A private copy, so ops that write in place (running statistics) leave the fixture alone.
  Tensor get(const std::string& name, const std::string& role) const {
    const auto it = file_.tensors.find(name + "." + role);
    if (it == file_.tensors.end())
      FAIL(group_ << ".safetensors has no tensor " << name << "." << role);
    return it->second.clone();
  }
  Tensor leaf(const std::string& name, const std::string& role) const {
    Tensor t = get(name, role);
    t.set_requires_grad(true);
    return t;
  }
  Tensor get_if(const std::string& name, const std::string& role) const {
    return has(name, role) ? get(name, role) : Tensor();
  }
  Tensor leaf_if(const std::string& name, const std::string& role) const {
    return has(name, role) ? leaf(name, role) : Tensor();
  }

 private:
  std::string meta(const std::string& key) const {
    const auto it = file_.metadata.find(key);
    if (it == file_.metadata.end()) FAIL(group_ << ".safetensors has no metadata " << key);
    return it->second;
  }
  std::string group_;
  SafetensorsFile file_;
};

void check_close(const Tensor& actual, const Tensor& expected, double rtol,
                 const std::string& what) {
  INFO(what);
  REQUIRE(actual.defined());
  CHECK(actual.dtype() == expected.dtype());
  REQUIRE(shape_str(actual.shape()) == shape_str(expected.shape()));
  const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  double err = 0, scale = 0;
  size_t worst = 0;
  bool finite = true;
  for (size_t i = 0; i < a.size(); ++i) {
    finite = finite && std::isfinite(a[i]);
    const double d = std::abs(a[i] - e[i]);
    if (d > err || std::isnan(d)) err = d, worst = i;
    scale = std::max(scale, std::abs(e[i]));
  }
  INFO("max |tint - torch| = " << err << " at element " << worst << " (tint "
       << (a.empty() ? 0.0 : a[worst]) << ", torch " << (e.empty() ? 0.0 : e[worst])
       << "), max |torch| = " << scale << ", relative " << err / scale << ", rtol " << rtol);
  CHECK(finite);
  CHECK(err <= rtol * scale);
}

// The fixture's "proj" tensor P: backpropagates sum(out * P) from out.
void projected_backward(const Tensor& out, const Tensor& proj) {
  REQUIRE(shape_str(out.shape()) == shape_str(proj.shape()));
  sum(mul(out, proj)).backward();
}

Pair pair_of(const json& j) { return Pair(j.at(0).get<int64_t>(), j.at(1).get<int64_t>()); }

Reduction reduction_of(const std::string& s) {
  if (s == "none") return Reduction::None;
  if (s == "sum") return Reduction::Sum;
  REQUIRE(s == "mean");
  return Reduction::Mean;
}

// Gradient of a leaf against the fixture's "grad.<role>", when the fixture has one.
void check_grad(const Fixture& f, const std::string& c, const std::string& role,
                const Tensor& leaf, double rtol) {
  if (!f.has(c, "grad." + role)) return;
  INFO("gradient of " << role);
  REQUIRE(leaf.grad().defined());
  check_close(leaf.grad(), f.get(c, "grad." + role), rtol, c + ": grad." + role);
}

}  // namespace

TEST_CASE("conv2d matches PyTorch", "[reference][conv]") {
  const Fixture f("conv2d");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      Conv2dOptions opts;
      opts.stride = pair_of(o["stride"]);
      opts.padding = pair_of(o["padding"]);
      opts.dilation = pair_of(o["dilation"]);
      Tensor x = f.leaf(c, "input"), w = f.leaf(c, "weight"), b = f.leaf_if(c, "bias");
      REQUIRE(b.defined() == o["bias"].get<bool>());
      Tensor out = conv2d(x, w, b, opts);
      check_close(out, f.get(c, "out"), kRtolF64, c + ": out");
      projected_backward(out, f.get(c, "proj"));
      check_grad(f, c, "input", x, kRtolF64);
      check_grad(f, c, "weight", w, kRtolF64);
      if (b.defined()) check_grad(f, c, "bias", b, kRtolF64);
    }
  }
}

TEST_CASE("conv_transpose2d matches PyTorch", "[reference][conv]") {
  const Fixture f("conv_transpose2d");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      ConvTranspose2dOptions opts;
      opts.stride = pair_of(o["stride"]);
      opts.padding = pair_of(o["padding"]);
      opts.output_padding = pair_of(o["output_padding"]);
      opts.dilation = pair_of(o["dilation"]);
      Tensor x = f.leaf(c, "input"), w = f.leaf(c, "weight"), b = f.leaf_if(c, "bias");
      REQUIRE(b.defined() == o["bias"].get<bool>());
      Tensor out = conv_transpose2d(x, w, b, opts);
      check_close(out, f.get(c, "out"), kRtolF64, c + ": out");
      projected_backward(out, f.get(c, "proj"));
      check_grad(f, c, "input", x, kRtolF64);
      check_grad(f, c, "weight", w, kRtolF64);
      if (b.defined()) check_grad(f, c, "bias", b, kRtolF64);
    }
  }
}

TEST_CASE("batch_norm2d matches PyTorch in training and eval", "[reference][batch_norm]") {
  const Fixture f("batch_norm2d");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      Tensor x = f.leaf(c, "input");
      Tensor weight = f.leaf_if(c, "weight"), bias = f.leaf_if(c, "bias");
      REQUIRE(weight.defined() == o["affine"].get<bool>());
      Tensor running_mean = f.get(c, "running_mean"), running_var = f.get(c, "running_var");
      Tensor out = batch_norm2d(x, running_mean, running_var, weight, bias,
                                o["training"].get<bool>(), o["momentum"].get<double>(),
                                o["eps"].get<double>());
      check_close(out, f.get(c, "out"), kRtolF64, c + ": out");
      // In training the running statistics move (unbiased variance); in eval they must not.
      check_close(running_mean, f.get(c, "running_mean.after"), kRtolF64,
                  c + ": running_mean after");
      check_close(running_var, f.get(c, "running_var.after"), kRtolF64,
                  c + ": running_var after");
      projected_backward(out, f.get(c, "proj"));
      check_grad(f, c, "input", x, kRtolF64);
      if (weight.defined()) {
        check_grad(f, c, "weight", weight, kRtolF64);
        check_grad(f, c, "bias", bias, kRtolF64);
      }
    }
  }
}

TEST_CASE("nearest and bilinear upsampling match PyTorch", "[reference][upsample]") {
  const Fixture f("upsample");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      const UpsampleSize size =
          o.contains("size")
              ? UpsampleSize::size(o["size"][0].get<int64_t>(), o["size"][1].get<int64_t>())
              : UpsampleSize::scale(o["scale"][0].get<double>(), o["scale"][1].get<double>());
      Tensor x = f.leaf(c, "input");
      const std::string mode = o["mode"];
      Tensor out = mode == "bilinear" ? upsample_bilinear2d(x, size) : upsample_nearest2d(x, size);
      check_close(out, f.get(c, "out"), kRtolF64, c + ": out");
      projected_backward(out, f.get(c, "proj"));
      check_grad(f, c, "input", x, kRtolF64);
    }
  }
}

TEST_CASE("softmax and log_softmax match PyTorch", "[reference][softmax]") {
  const Fixture f("softmax");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      Tensor x = f.leaf(c, "input");
      const int64_t dim = o["dim"];
      Tensor out = o["op"] == "softmax" ? softmax(x, dim) : log_softmax(x, dim);
      check_close(out, f.get(c, "out"), kRtolF64, c + ": out");
      projected_backward(out, f.get(c, "proj"));
      check_grad(f, c, "input", x, kRtolF64);
    }
  }
}

TEST_CASE("cross entropy with indices and with probabilities matches PyTorch",
          "[reference][loss]") {
  const Fixture f("cross_entropy");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      Tensor logits = f.leaf(c, "logits");
      Tensor target = f.get(c, "target");
      const Reduction reduction = reduction_of(o["reduction"]);
      Tensor out;
      if (o["target"] == "index") {
        REQUIRE(target.dtype() == DType::Int64);
        out = cross_entropy(logits, target, reduction, o["ignore_index"].get<int64_t>());
      } else {
        out = cross_entropy_soft(logits, target, reduction);
      }
      check_close(out, f.get(c, "out"), kRtolF64, c + ": out");
      projected_backward(out, f.get(c, "proj"));
      check_grad(f, c, "logits", logits, kRtolF64);
    }
  }
}

TEST_CASE("mse_loss matches PyTorch", "[reference][loss]") {
  const Fixture f("mse_loss");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      Tensor x = f.leaf(c, "input"), t = f.leaf(c, "target");
      Tensor out = mse_loss(x, t, reduction_of(o["reduction"]));
      check_close(out, f.get(c, "out"), kRtolF64, c + ": out");
      projected_backward(out, f.get(c, "proj"));
      check_grad(f, c, "input", x, kRtolF64);
      check_grad(f, c, "target", t, kRtolF64);
    }
  }
}

TEST_CASE("Adam and AdamW steps match torch.optim", "[reference][optim]") {
  const Fixture f("adam");
  for (const std::string& c : f.cases()) {
    DYNAMIC_SECTION(c) {
      const json o = f.options(c);
      const auto names = o["params"].get<std::vector<std::string>>();
      NamedParameters params;
      for (const std::string& p : names) params.emplace_back(p, f.leaf(c, "param." + p));
      std::unique_ptr<Optimizer> opt;
      if (o["optimizer"] == "Adam") {
        AdamOptions ao;
        ao.lr = o["lr"], ao.beta1 = o["betas"][0], ao.beta2 = o["betas"][1];
        ao.eps = o["eps"], ao.weight_decay = o["weight_decay"];
        opt = std::make_unique<Adam>(params, ao);
      } else {
        REQUIRE(o["optimizer"] == "AdamW");
        AdamWOptions ao;
        ao.lr = o["lr"], ao.beta1 = o["betas"][0], ao.beta2 = o["betas"][1];
        ao.eps = o["eps"], ao.weight_decay = o["weight_decay"];
        opt = std::make_unique<AdamW>(params, ao);
      }
      const int64_t steps = o["steps"];
      for (int64_t step = 1; step <= steps; ++step) {
        const std::string k = std::to_string(step);
        for (auto& [p, t] : params) t.set_grad(f.get(c, "grad" + k + "." + p));
        opt->step();
        // Parameters are O(1) and an update is O(lr): 1e-10 of the parameter scale still
        // resolves the update to ~1e-8, far below what a wrong bias correction would move.
        for (auto& [p, t] : params)
          check_close(t.detach(), f.get(c, "step" + k + "." + p), kRtolF64,
                      c + ": after step " + k + ": " + p);
      }
      const StateDict state = opt->state();
      for (const std::string& p : names) {
        for (const std::string slot : {"exp_avg", "exp_avg_sq"}) {
          INFO("optimizer state " << p << "." << slot);
          REQUIRE(state.count(p + "." + slot));
          check_close(state.at(p + "." + slot), f.get(c, slot + "." + p), kRtolF64,
                      c + ": " + p + "." + slot);
        }
        REQUIRE(state.count(p + ".step"));
        CHECK(state.at(p + ".step").item<int64_t>() == steps);
      }
    }
  }
}

TEST_CASE("float32 conv2d + batch_norm2d match PyTorch's float32", "[reference][float32]") {
  const Fixture f("float32_conv_bn");
  const std::string c = "conv_bn";
  const json o = f.options(c);
  Conv2dOptions co;
  co.stride = pair_of(o["conv"]["stride"]);
  co.padding = pair_of(o["conv"]["padding"]);
  co.dilation = pair_of(o["conv"]["dilation"]);
  Tensor x = f.leaf(c, "input"), w = f.leaf(c, "weight"), b = f.leaf(c, "bias");
  Tensor gamma = f.leaf(c, "bn_weight"), beta = f.leaf(c, "bn_bias");
  Tensor running_mean = f.get(c, "running_mean"), running_var = f.get(c, "running_var");
  REQUIRE(x.dtype() == DType::Float32);
  Tensor conv = conv2d(x, w, b, co);
  check_close(conv, f.get(c, "conv_out"), kRtolF32, "conv out");
  Tensor out = batch_norm2d(conv, running_mean, running_var, gamma, beta,
                            o["bn"]["training"].get<bool>(), o["bn"]["momentum"].get<double>(),
                            o["bn"]["eps"].get<double>());
  check_close(out, f.get(c, "out"), kRtolF32, "batch_norm out");
  check_close(running_mean, f.get(c, "running_mean.after"), kRtolF32, "running_mean after");
  check_close(running_var, f.get(c, "running_var.after"), kRtolF32, "running_var after");
  projected_backward(out, f.get(c, "proj"));
  check_grad(f, c, "input", x, kRtolF32);
  check_grad(f, c, "weight", w, kRtolF32);
  // The conv bias gradient is zero in exact arithmetic: training batch norm subtracts each
  // channel's mean, so a per-channel constant cannot change the output. Both libraries return
  // rounding noise (torch ~4e-6), which has no relative scale of its own; bound it by the sum
  // over the channel of the incoming gradient's size instead, which grad.bn_bias = sum(P)
  // per channel stands in for.
  {
    REQUIRE(b.grad().defined());
    const Tensor bn_bias_grad = f.get(c, "grad.bn_bias");
    const std::vector<float> scale = bn_bias_grad.to_vector<float>();
    const double bound =
        kRtolF32 * *std::max_element(scale.begin(), scale.end(),
                                     [](float x, float y) { return std::abs(x) < std::abs(y); });
    INFO("conv bias gradient (analytically 0): tint " << b.grad() << ", torch "
         << f.get(c, "grad.bias") << ", bound " << bound);
    for (const float g : b.grad().to_vector<float>()) CHECK(std::abs(g) <= std::abs(bound));
  }
  check_grad(f, c, "bn_weight", gamma, kRtolF32);
  check_grad(f, c, "bn_bias", beta, kRtolF32);
}

// ---- safetensors interop ------------------------------------------------------------------

TEST_CASE("a safetensors file from the Python writer loads with every dtype and metadata",
          "[reference][interop]") {
  // Contents mirror interop_files() in tests/fixtures/make_fixtures.py.
  const SafetensorsFile f =
      load_safetensors(std::string(TINT_FIXTURE_DIR) + "/interop_dtypes.safetensors");
  std::vector<std::string> names;
  for (const auto& [name, t] : f.tensors) names.push_back(name);
  CHECK(names == std::vector<std::string>{"f32.values", "f64.special", "f64.values",
                                          "i32.values", "i64.values", "model1.0.weight",
                                          "scalar.f64", "u8.values"});
  auto tensor = [&](const std::string& name, DType dtype, const Shape& shape) {
    INFO(name);
    REQUIRE(f.tensors.count(name));
    const Tensor& t = f.tensors.at(name);
    CHECK(t.dtype() == dtype);
    CHECK(shape_str(t.shape()) == shape_str(shape));
    CHECK(t.device() == Device::cpu());
    return t;
  };

  std::vector<double> f64_values;
  for (int i = 0; i < 24; ++i) f64_values.push_back((i - 5) / 3.0);
  CHECK(tensor("f64.values", DType::Float64, {2, 3, 4}).to_vector<double>() == f64_values);

  const auto special = tensor("f64.special", DType::Float64, {6}).to_vector<double>();
  REQUIRE(special.size() == 6);
  CHECK((special[0] == 0.0 && !std::signbit(special[0])));
  CHECK((special[1] == 0.0 && std::signbit(special[1])));
  CHECK(special[2] == std::numeric_limits<double>::infinity());
  CHECK(special[3] == -std::numeric_limits<double>::infinity());
  CHECK(special[4] == std::numeric_limits<double>::denorm_min());
  CHECK(special[5] == std::numeric_limits<double>::max());

  std::vector<float> f32_values;
  for (int i = 0; i < 12; ++i) f32_values.push_back(static_cast<float>(i) * 0.25f - 1.0f);
  CHECK(tensor("f32.values", DType::Float32, {3, 4}).to_vector<float>() == f32_values);

  CHECK(tensor("i64.values", DType::Int64, {2, 3}).to_vector<int64_t>() ==
        std::vector<int64_t>{0, -1, int64_t{1} << 62, std::numeric_limits<int64_t>::min(),
                             std::numeric_limits<int64_t>::max(), 123456789012345});
  CHECK(tensor("i32.values", DType::Int32, {5}).to_vector<int32_t>() ==
        std::vector<int32_t>{std::numeric_limits<int32_t>::min(),
                             std::numeric_limits<int32_t>::max(), -7, 0, 42});
  std::vector<uint8_t> u8_values;
  for (int i = 0; i < 256; ++i) u8_values.push_back(static_cast<uint8_t>(i * 37 % 256));
  CHECK(tensor("u8.values", DType::UInt8, {16, 16}).to_vector<uint8_t>() == u8_values);

  const Tensor scalar = tensor("scalar.f64", DType::Float64, {});
  CHECK(scalar.dim() == 0);
  CHECK(scalar.item() == 2.5);
  CHECK(tensor("model1.0.weight", DType::Float32, {2, 3}).to_vector<float>() ==
        std::vector<float>{0, 1, 2, 3, 4, 5});

  CHECK(f.metadata == std::map<std::string, std::string>{
                          {"escapes", "quote \" backslash \\ newline \n tab \t"},
                          {"format", "pt"},
                          {"json", "{\"stride\": [2, 2], \"eps\": 1e-05}"},
                          {"unicode", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8e\xa8"}});
}

TEST_CASE("a safetensors file with a zero-size tensor loads", "[reference][interop]") {
  const SafetensorsFile f =
      load_safetensors(std::string(TINT_FIXTURE_DIR) + "/interop_empty.safetensors");
  REQUIRE(f.tensors.count("empty.f32"));
  const Tensor& empty = f.tensors.at("empty.f32");
  CHECK(empty.dtype() == DType::Float32);
  CHECK(shape_str(empty.shape()) == shape_str({0, 3}));
  CHECK(empty.numel() == 0);
  REQUIRE(f.tensors.count("after.i64"));
  CHECK(f.tensors.at("after.i64").to_vector<int64_t>() == std::vector<int64_t>{7, 8});
  CHECK(f.metadata == std::map<std::string, std::string>{{"note", "zero-size tensor"}});
}

namespace {

// What [interop-write] saves; tests/fixtures/check_tint_safetensors.py expects exactly this.
// Views that are not contiguous (a transpose, a strided slice with an offset) check that
// tint writes the logical row-major values, not the storage.
StateDict interop_tensors() {
  StateDict t;
  std::vector<double> f64;
  for (int i = 0; i < 24; ++i) f64.push_back((i - 5) / 3.0);
  t["b.f64"] = from_vector(f64, {2, 3, 4});
  std::vector<float> f32;
  for (int i = 0; i < 12; ++i) f32.push_back(static_cast<float>(i) * 0.25f - 1.0f);
  t["a.f32"] = from_vector(f32, {3, 4});
  t["model1.0.weight"] =
      arange(0, 48, 1, TensorOptions{}.with_dtype(DType::Float32)).reshape({4, 3, 2, 2}) * 0.5 -
      3.0;
  t["t.transposed"] =
      arange(0, 12, 1, TensorOptions{}.with_dtype(DType::Float64)).reshape({3, 4}).transpose(0, 1);
  t["t.strided"] = arange(0, 20, 1, TensorOptions{}.with_dtype(DType::Float64)).slice(0, 5, 17, 3);
  t["i64"] = from_vector<int64_t>({0, -1, int64_t{1} << 62, std::numeric_limits<int64_t>::min(),
                                   std::numeric_limits<int64_t>::max(), 123456789012345},
                                  {2, 3});
  t["i32"] = from_vector<int32_t>(
      {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), -7, 0, 42}, {5});
  std::vector<uint8_t> u8;
  for (int i = 0; i < 256; ++i) u8.push_back(static_cast<uint8_t>(i * 37 % 256));
  t["u8"] = from_vector(u8, {16, 16});
  t["scalar"] = from_vector<double>({2.5}, {});
  return t;
}

const std::map<std::string, std::string> kInteropMetadata = {
    {"format", "pt"},
    {"escapes", "quote \" backslash \\ newline \n tab \t"},
    {"unicode", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8e\xa8"},
};

}  // namespace

TEST_CASE("tint writes a safetensors file that reads back unchanged",
          "[reference][interop][interop-write]") {
  // TINT_INTEROP_OUT names the file for the Python check (tests/integration.cmake); without
  // it the file goes to a temp folder and only tint's own round trip is checked.
  const char* env = std::getenv("TINT_INTEROP_OUT");
  const std::string path =
      env && *env ? std::string(env)
                  : (std::filesystem::temp_directory_path() /
                     ("tint_interop_" + std::to_string(::getpid()) + ".safetensors"))
                        .string();
  const StateDict tensors = interop_tensors();
  save_safetensors(path, tensors, kInteropMetadata);
  const SafetensorsFile back = load_safetensors(path);
  if (!(env && *env)) std::filesystem::remove(path);

  CHECK(back.metadata == kInteropMetadata);
  REQUIRE(back.tensors.size() == tensors.size());
  for (const auto& [name, t] : tensors) {
    INFO(name);
    REQUIRE(back.tensors.count(name));
    const Tensor& b = back.tensors.at(name);
    CHECK(b.dtype() == t.dtype());
    CHECK(shape_str(b.shape()) == shape_str(t.shape()));
    // Exact: the bytes must survive untouched (compared as bit patterns through int64/double).
    if (is_floating(t.dtype()))
      CHECK(b.to_vector<double>() == t.to_vector<double>());
    else
      CHECK(b.to_vector<int64_t>() == t.to_vector<int64_t>());
  }
}
