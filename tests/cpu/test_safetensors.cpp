// io: safetensors round trips for every dtype (0-d and empty included), the exact byte layout
// of the format, reading files laid out differently from ours, one clear tint::Error per kind
// of corruption, atomic writes that never damage the old file, and checkpoints that resume a
// run exactly.
#include <catch2/catch.hpp>

#include "temp_dir.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "framework/io/checkpoint.h"
#include "framework/nn/layers.h"
#include "framework/optim/adam.h"
#include "framework/optim/sgd.h"
#include "framework/tint.h"

using namespace tint;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using tint::testing::TempDir;


std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string le64(uint64_t n) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  return s;
}

template <typename T>
std::string raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// A file from a header text and a data section, as another writer might produce it.
std::string file_of(const std::string& json, const std::string& data) {
  return le64(json.size()) + json + data;
}

uint64_t header_size(const std::string& bytes) {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(uint8_t(bytes[i])) << (8 * i);
  return n;
}

}  // namespace

TEST_CASE("safetensors round trip of every dtype, 0-d and empty tensors", "[io]") {
  TempDir dir;
  const std::string path = dir.file("all.safetensors");
  StateDict in;
  in["f32"] = from_vector<float>({1.5f, -2.25f, 3e-38f, 1e30f, 0.1f, -0.0f}, {2, 3});
  in["f64"] = from_vector<double>({0.1, -1e300, 4.9e-324}, {3});
  in["i64"] = from_vector<int64_t>({INT64_MIN, -1, INT64_MAX}, {3, 1});
  in["i32"] = from_vector<int32_t>({INT32_MIN, 7, INT32_MAX, 0}, {2, 2});
  in["u8"] = from_vector<uint8_t>({0, 128, 255}, {3});
  in["scalar"] = scalar_tensor(42.5, TensorOptions{}.with_dtype(DType::Float64));
  in["empty"] = zeros({0});
  in["empty3d"] = zeros({2, 0, 3}, TensorOptions{}.with_dtype(DType::Int32));
  in["view"] = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}).transpose(0, 1);  // strided
  save_safetensors(path, in);

  const SafetensorsFile out = load_safetensors(path);
  REQUIRE(out.tensors.size() == in.size());
  CHECK(out.metadata.empty());
  for (const auto& [name, t] : in) {
    INFO(name);
    const Tensor& r = out.tensors.at(name);
    CHECK(r.dtype() == t.dtype());
    CHECK(r.shape() == t.shape());
    CHECK(r.device().is_cpu());
    CHECK(r.to_vector<double>() == t.to_vector<double>());
  }
  // Bit patterns, not only values: -0.0 keeps its sign, int64 extremes survive.
  CHECK(std::signbit(out.tensors.at("f32").to_vector<float>()[5]));
  CHECK(out.tensors.at("i64").to_vector<int64_t>()[0] == INT64_MIN);
  CHECK(out.tensors.at("view").to_vector<float>() == std::vector<float>{1, 4, 2, 5, 3, 6});
}

TEST_CASE("metadata round trip and the 8-byte aligned header", "[io]") {
  TempDir dir;
  const std::string path = dir.file("meta.safetensors");
  const std::map<std::string, std::string> meta{
      {"format", "pt"}, {"note", "quotes \" and \\ and \n newline, ünïcode"}, {"empty", ""}};
  for (int extra = 0; extra < 8; ++extra) {
    // Names of growing length move the header size through every residue mod 8.
    StateDict t{{std::string(static_cast<size_t>(extra + 1), 'x'), ones({2})}};
    save_safetensors(path, t, meta);
    const std::string bytes = read_bytes(path);
    const uint64_t n = header_size(bytes);
    CHECK(n % 8 == 0);
    CHECK(bytes.size() == 8 + n + 8);
    CHECK(load_safetensors(path).metadata == meta);
  }
}

TEST_CASE("the writer's bytes follow the format exactly", "[io]") {
  TempDir dir;
  const std::string path = dir.file("exact.safetensors");
  save_safetensors(path, {{"b", from_vector<int64_t>({5}, {1})},
                          {"a", from_vector<float>({1, 2}, {2})}});
  // The reference writer's order (wider dtypes first: I64 before F32, then by name),
  // data_offsets relative to the end of the header, spaces to pad.
  std::string json =
      R"({"b":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
      R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
  json.append((8 - json.size() % 8) % 8, ' ');
  const std::string expected = file_of(json, raw<int64_t>({5}) + raw<float>({1, 2}));
  CHECK(read_bytes(path) == expected);
}

TEST_CASE("a file laid out by another writer is read", "[io]") {
  TempDir dir;
  const std::string path = dir.file("other.safetensors");
  // Metadata last, data not in name order, no padding, whitespace in the JSON.
  const std::string json =
      R"({ "b": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]},
           "a": {"shape": [3], "dtype": "U8", "data_offsets": [8, 11]},
           "__metadata__": {"k": "v"} })";
  write_bytes(path, file_of(json, raw<int64_t>({-9}) + raw<uint8_t>({1, 2, 3})));
  const SafetensorsFile f = load_safetensors(path);
  CHECK(f.metadata == std::map<std::string, std::string>{{"k", "v"}});
  CHECK(f.tensors.at("b").shape() == Shape{});
  CHECK(f.tensors.at("b").item() == -9);
  CHECK(f.tensors.at("a").to_vector<int>() == std::vector<int>{1, 2, 3});
}

TEST_CASE("corrupt safetensors files give one clear error naming the file", "[io]") {
  TempDir dir;
  const std::string good_path = dir.file("good.safetensors");
  save_safetensors(good_path, {{"w", from_vector<float>({1, 2, 3, 4}, {2, 2})},
                               {"z", from_vector<int64_t>({7, 8}, {2})}});
  const std::string good = read_bytes(good_path);
  const uint64_t n = header_size(good);
  const std::string path = dir.file("model.safetensors");
  auto expect_error = [&](const std::string& bytes, const std::string& fragment) {
    write_bytes(path, bytes);
    CHECK_THROWS_WITH(load_safetensors(path), Contains(path) && Contains(fragment));
  };

  SECTION("truncated at several points") {
    expect_error(good.substr(0, 0), "too small");
    expect_error(good.substr(0, 5), "too small");
    expect_error(good.substr(0, 8), "truncated");
    expect_error(good.substr(0, 8 + n / 2), "truncated");
    expect_error(good.substr(0, 8 + n), "truncated: header says 32 bytes of tensor data but "
                                        "only 0 follow");
    expect_error(good.substr(0, good.size() - 1), "but only 31 follow");
  }
  SECTION("header length larger than the file or implausible") {
    expect_error(le64(1000) + good.substr(8), "header says 1000 bytes");
    expect_error(le64(uint64_t(1) << 62) + good.substr(8), "implausible");
  }
  SECTION("bad JSON") {
    std::string bad = good;
    bad[8 + 1] = '#';
    expect_error(bad, "not valid JSON");
    expect_error(file_of("[1, 2]  ", ""), "not an object");
    expect_error(file_of(R"({"w": 3})", ""), "'w'");
  }
  SECTION("wrong dtype strings") {
    std::string f16 = good;
    f16.replace(f16.find("F32"), 3, "F16");
    expect_error(f16, "F16");
    std::string f8 = file_of(R"({"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})",
                             std::string(1, '\0'));
    expect_error(f8, "F8_E4M3");  // (BF16 loads: test_bfloat16.cpp)
    std::string unknown = good;
    unknown.replace(unknown.find("I64"), 3, "Q64");
    expect_error(unknown, "unknown dtype 'Q64'");
  }
  SECTION("offsets past the end, overlapping, leaving gaps or not matching the shape") {
    expect_error(file_of(R"({"w":{"dtype":"F32","shape":[25],"data_offsets":[0,100]}})",
                         std::string(8, '\0')),
                 "header says 100 bytes of tensor data but only 8 follow");
    expect_error(file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         std::string(12, '\0')),
                 "overlap");
    expect_error(file_of(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                         std::string(8, '\0')),
                 "gap");
    expect_error(file_of(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                         std::string(8, '\0')),
                 "4 bytes after the last tensor");
    expect_error(file_of(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                         std::string(8, '\0')),
                 "needs 12 bytes");
    expect_error(file_of(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                         std::string(8, '\0')),
                 "non-negative");
    expect_error(file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
                         std::string(8, '\0')),
                 "'a'");
  }
  SECTION("missing file or a folder") {
    CHECK_THROWS_WITH(load_safetensors(dir.file("nope.safetensors")),
                      Contains("nope.safetensors does not exist"));
    CHECK_THROWS_WITH(load_safetensors(dir.path.string()),
                      Contains(dir.path.string() + " is a folder, not a file"));
  }
}

TEST_CASE("atomic writes never leave the old file damaged", "[io]") {
  TempDir dir;
  const std::string path = dir.file("weights.safetensors");
  const StateDict old_state{{"w", from_vector<float>({1, 2, 3}, {3})}};
  save_safetensors(path, old_state);
  const std::string old_bytes = read_bytes(path);

  SECTION("the temp file cannot be created") {
    // A folder squatting on the temp name makes the write fail before the rename.
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    fs::create_directory(tmp);
    CHECK_THROWS_WITH(save_safetensors(path, {{"w", zeros({100})}}), Contains(path));
    CHECK(read_bytes(path) == old_bytes);
    CHECK(load_safetensors(path).tensors.at("w").to_vector<float>() ==
          std::vector<float>{1, 2, 3});
  }
  SECTION("the target is a folder") {
    const std::string folder = dir.file("a_folder");
    fs::create_directory(folder);
    CHECK_THROWS_WITH(save_safetensors(folder, old_state), Contains(folder));
    CHECK(fs::is_directory(folder));
  }
  SECTION("the folder does not exist") {
    const std::string missing = dir.file("no/such/folder/w.safetensors");
    CHECK_THROWS_WITH(write_file_atomically(missing, "abc"), Contains(missing));
  }
  SECTION("a successful write replaces the file and leaves no temp file") {
    save_safetensors(path, {{"w", zeros({2})}});
    CHECK(load_safetensors(path).tensors.at("w").shape() == Shape{2});
  }
  // Whatever happened, only the file itself (and the squatting folder) remain.
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    const std::string name = entry.path().filename().string();
    CHECK((name == "weights.safetensors" || entry.is_directory()));
  }
}

// ---- checkpoints ---------------------------------------------------------------------------

namespace {

struct SmallNet : nn::Module {
  std::shared_ptr<nn::Linear> lin;
  std::shared_ptr<nn::BatchNorm2d> bn;
  explicit SmallNet(Generator& gen, int64_t width = 3, bool extra_buffer = false) {
    lin = register_module("lin", std::make_shared<nn::Linear>(width, 2, true, gen));
    bn = register_module("bn", std::make_shared<nn::BatchNorm2d>(2));
    if (extra_buffer) register_buffer("extra", zeros({1}));
  }
  Tensor forward(const Tensor& x) override { return x; }
};

// A deterministic stand-in for backward: g = sin(3 p) + 0.1, computed on the host.
void fake_backward(const nn::Module& m) {
  for (const auto& [name, p] : m.named_parameters()) {
    std::vector<float> g = p.to_vector<float>();
    for (float& v : g) v = std::sin(3.0f * v) + 0.1f;
    p.set_grad(from_vector<float>(g, p.shape()));
  }
}

std::map<std::string, std::vector<double>> values_of(const nn::Module& m) {
  std::map<std::string, std::vector<double>> out;
  for (const auto& [name, t] : m.state_dict()) out[name] = t.to_vector<double>();
  return out;
}

}  // namespace

TEST_CASE("a checkpoint restores model and optimizer so the next step matches", "[io]") {
  TempDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  Generator g1(1), g2(2);
  SmallNet a(g1), b(g2);
  AdamW opt_a(a.named_parameters(), AdamWOptions{0.01});
  for (int s = 0; s < 2; ++s) {
    fake_backward(a);
    opt_a.step();
  }
  opt_a.set_lr(0.1 * 0.7 * 0.7 * 0.7);  // a value with no short decimal form
  a.bn->running_mean().fill_(0.3);
  a.bn->num_batches_tracked().fill_(2);
  save_checkpoint(path, a, &opt_a, {{"epoch", "2"}, {"run", "unit test"}});
  fake_backward(a);
  opt_a.step();  // the uninterrupted run's third step

  AdamW opt_b(b.named_parameters(), AdamWOptions{0.5});
  const auto extra = load_checkpoint(path, b, &opt_b);
  CHECK(extra == std::map<std::string, std::string>{{"epoch", "2"}, {"run", "unit test"}});
  CHECK(opt_b.step_count() == 2);
  CHECK(opt_b.lr() == 0.1 * 0.7 * 0.7 * 0.7);
  CHECK(b.bn->num_batches_tracked().item() == 2);
  fake_backward(b);
  opt_b.step();
  CHECK(values_of(b) == values_of(a));

  // The file is plain safetensors with prefixed PyTorch-style names.
  const SafetensorsFile raw_file = load_safetensors(path);
  CHECK(raw_file.tensors.count("model.lin.weight"));
  CHECK(raw_file.tensors.count("model.bn.num_batches_tracked"));
  CHECK(raw_file.tensors.count("optim.lin.weight.exp_avg_sq"));
  CHECK(raw_file.metadata.at("tint.step") == "2");
  CHECK(raw_file.metadata.at("tint.optimizer") == "AdamW");
  CHECK(raw_file.metadata.at("tint.format") == "tint-checkpoint");
}

TEST_CASE("checkpoint errors name the file and change nothing", "[io]") {
  TempDir dir;
  Generator gen(3);
  SmallNet net(gen);
  SGD sgd(net.named_parameters(), SGDOptions{0.1, 0.9});
  fake_backward(net);
  sgd.step();
  const std::string path = dir.file("run.safetensors");
  save_checkpoint(path, net, &sgd);

  const std::string plain = dir.file("plain.safetensors");
  save_safetensors(plain, net.state_dict());
  CHECK_THROWS_WITH(load_checkpoint(plain, net), Contains(plain) && Contains("not a tint"));

  Adam adam(net.named_parameters());
  CHECK_THROWS_WITH(load_checkpoint(path, net, &adam),
                    Contains(path) && Contains("SGD") && Contains("Adam"));

  const std::string weights_only = dir.file("weights.safetensors");
  save_checkpoint(weights_only, net, nullptr);
  CHECK_NOTHROW(load_checkpoint(weights_only, net));
  CHECK_THROWS_WITH(load_checkpoint(weights_only, net, &sgd), Contains("no optimizer state"));

  CHECK_THROWS_WITH(save_checkpoint(dir.file("x.safetensors"), net, &sgd, {{"tint.step", "9"}}),
                    Contains("reserved"));

  // A model of another shape: the error names the file, the key and the shapes.
  Generator other(4);
  SmallNet wide(other, 5);
  SGD sgd_wide(wide.named_parameters(), SGDOptions{0.1, 0.9});
  CHECK_THROWS_WITH(load_checkpoint(path, wide, &sgd_wide),
                    Contains(path) && Contains("lin.weight") && Contains("[2, 5]"));
  CHECK_THROWS_WITH(load_checkpoint(path, wide),
                    Contains(path) && Contains("lin.weight") && Contains("[2, 5]"));

  // Same parameters but a buffer the checkpoint lacks: the optimizer state loads, the model
  // does not, and the optimizer is rolled back.
  Generator same(3);
  SmallNet extra(same, 3, /*extra_buffer=*/true);
  SGD sgd_extra(extra.named_parameters(), SGDOptions{0.1, 0.9});
  sgd_extra.set_lr(0.42);
  CHECK_THROWS_WITH(load_checkpoint(path, extra, &sgd_extra),
                    Contains(path) && Contains("'extra'") && Contains("missing"));
  CHECK(sgd_extra.lr() == 0.42);
  CHECK(sgd_extra.step_count() == 0);
  CHECK(sgd_extra.state().empty());

  // A tint checkpoint with a tensor outside both prefixes.
  const std::string stray = dir.file("stray.safetensors");
  save_safetensors(stray, {{"other", zeros({1})}},
                   {{"tint.format", "tint-checkpoint"}, {"tint.format_version", "1"}});
  CHECK_THROWS_WITH(read_checkpoint(stray), Contains(stray) && Contains("'other'"));
  save_safetensors(stray, {}, {{"tint.format", "tint-checkpoint"}, {"tint.format_version", "7"}});
  CHECK_THROWS_WITH(read_checkpoint(stray), Contains("version 7"));
}

TEST_CASE("loading refuses NaN and infinite parameters, buffers and optimizer state", "[io]") {
  TempDir dir;
  Generator gen(5);
  SmallNet net(gen);
  Adam adam(net.named_parameters());
  fake_backward(net);
  adam.step();
  const std::map<std::string, std::vector<double>> before = values_of(net);
  const std::string good = dir.file("good.safetensors");
  save_checkpoint(good, net, &adam);

  // A NaN weight: the error names the file and the tensor, and nothing is loaded.
  Generator gen2(6);
  SmallNet other(gen2);
  Adam other_adam(other.named_parameters());
  const std::map<std::string, std::vector<double>> other_before = values_of(other);
  StateDict state = net.state_dict();
  std::vector<float> w = state["lin.weight"].to_vector<float>();
  w[4] = std::nanf("");
  state["lin.weight"] = from_vector(w, {2, 3});
  const std::string nan_path = dir.file("nan.safetensors");
  save_checkpoint(nan_path, state, &adam);
  CHECK_THROWS_WITH(load_checkpoint(nan_path, other, &other_adam),
                    Contains(nan_path) &&
                        Contains("tensor 'lin.weight' holds NaN (element 4 of 6)"));
  CHECK(values_of(other) == other_before);
  CHECK(other_adam.state().empty());

  // +inf in a buffer (batch norm's running variance), through load_state_dict directly.
  state = net.state_dict();
  state["bn.running_var"] = from_vector(std::vector<float>{1.0f, INFINITY}, {2});
  CHECK_THROWS_WITH(other.load_state_dict(state),
                    Contains("load_state_dict: tensor 'bn.running_var' holds +inf (element 1 "
                             "of 2)"));
  // -inf in float64 and bfloat16 tensors is found too.
  state = net.state_dict();
  state["lin.bias"] = from_vector(std::vector<double>{-INFINITY, 0.0}, {2});
  CHECK_THROWS_WITH(nn::check_finite_state(state), Contains("'lin.bias' holds -inf (element 0"));
  state["lin.bias"] = full({2}, std::nan(""), TensorOptions{}.with_dtype(DType::BFloat16));
  CHECK_THROWS_WITH(nn::check_finite_state(state), Contains("'lin.bias' holds NaN"));
  CHECK(values_of(other) == other_before);

  // Damaged optimizer state is refused the same way, before anything changes.
  StateDict optim = adam.state();
  optim["lin.weight.exp_avg_sq"] = full({2, 3}, std::nan(""));
  const std::string bad_optim = dir.file("bad_optim.safetensors");
  {
    std::map<std::string, std::string> meta;
    StateDict tensors;
    for (const auto& [k, t] : net.state_dict()) tensors["model." + k] = t;
    for (const auto& [k, t] : optim) tensors["optim." + k] = t;
    meta = {{"tint.format", "tint-checkpoint"}, {"tint.format_version", "1"},
            {"tint.optimizer", "Adam"}, {"tint.step", "1"}, {"tint.lr", "0.001"}};
    save_safetensors(bad_optim, tensors, meta);
  }
  CHECK_THROWS_WITH(load_checkpoint(bad_optim, other, &other_adam),
                    Contains(bad_optim) && Contains("optimizer state: tensor "
                                                    "'lin.weight.exp_avg_sq' holds NaN"));
  CHECK(values_of(other) == other_before);
  CHECK(other_adam.state().empty());
  // The good checkpoint still loads.
  CHECK_NOTHROW(load_checkpoint(good, other, &other_adam));
  CHECK(values_of(other) == before);
}
