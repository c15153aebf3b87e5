// CPU/GPU parity of the core ops (elementwise with broadcasting and strided operands,
// reductions, GEMM, copies/casts/cat/pad), float64 gradient checks on the GPU, and device
// copies. Outputs start as NaN (TINT_CUDA_SENTINEL), so an element a kernel forgets to write
// cannot pass.
#include <catch2/catch.hpp>

#include "framework/tint.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

TEST_CASE("host/device copies round trip every dtype", "[cuda][core]") {
  for (DType d : {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::UInt8,
                  DType::BFloat16}) {
    const Tensor h = arange(0, 100, 1, TensorOptions{}.with_dtype(d)).reshape({10, 10});
    const Tensor g = h.to(Device::cuda());
    CHECK(g.device().is_cuda());
    CHECK(g.cpu().to_vector<double>() == h.to_vector<double>());
    CHECK(g.permute({1, 0}).contiguous().cpu().to_vector<double>() ==
          h.permute({1, 0}).contiguous().to_vector<double>());
  }
}

TEST_CASE("casts to and from bfloat16 on the GPU equal the cpu's bit for bit", "[cuda][core]") {
  Generator gen(17);
  const Tensor x = randn({7, 33, 5}, gen, {}, 0.0, 100.0);
  for (const Tensor& view : {x, x.transpose(0, 2)}) {
    const Tensor cpu = view.to(DType::BFloat16), gpu = view.to(Device::cuda()).to(DType::BFloat16);
    REQUIRE(gpu.device().is_cuda());
    const std::vector<bfloat16> a = cpu.to_vector<bfloat16>(), b = gpu.cpu().to_vector<bfloat16>();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) REQUIRE(a[i].bits == b[i].bits);
    CHECK(gpu.to(DType::Float64).cpu().to_vector<double>() ==
          cpu.to(DType::Float64).to_vector<double>());
  }
}

TEST_CASE("elementwise ops match the cpu", "[cuda][core]") {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{33, 17}, {33, 17}}, {{2, 3, 50}, {50}}, {{40, 1}, {1, 30}}};
  for (const auto& [sa, sb] : shapes) {
    Tensor a = cpu_leaf(sa, 1), b = cpu_leaf(sb, 2, DType::Float32, 0.5, 2.0);
    Tensor pos = cpu_leaf(sa, 3, DType::Float32, 0.5, 2.0);
    CHECK(parity([](const Xs& x) { return add(x[0], x[1]); }, {a, b}) == "");
    CHECK(parity([](const Xs& x) { return sub(x[0], x[1]); }, {a, b}) == "");
    CHECK(parity([](const Xs& x) { return mul(x[0], x[1]); }, {a, b}) == "");
    CHECK(parity([](const Xs& x) { return div(x[0], x[1]); }, {a, b}) == "");
    CHECK(parity([](const Xs& x) { return maximum(x[0], x[1]); }, {a, b}) == "");
    CHECK(parity([](const Xs& x) { return pow(x[0], x[1]); }, {pos, b}) == "");
    for (auto fn : {+[](const Tensor& t) { return exp(t); }, +[](const Tensor& t) { return log(t); },
                    +[](const Tensor& t) { return sqrt(t); }, +[](const Tensor& t) { return relu(t); },
                    +[](const Tensor& t) { return sigmoid(t); }, +[](const Tensor& t) { return tanh(t); },
                    +[](const Tensor& t) { return abs(t); }, +[](const Tensor& t) { return neg(t); },
                    +[](const Tensor& t) { return clamp(t, 0.7, 1.5); },
                    +[](const Tensor& t) { return rdiv(2.0, t); },
                    +[](const Tensor& t) { return pow(t, 1.5); }})
      CHECK(parity([fn](const Xs& x) { return fn(x[0]); }, {pos}) == "");
    // A strided (transposed) operand.
    Tensor sq = cpu_leaf({17, 17}, 4);
    CHECK(parity([](const Xs& x) { return mul(x[0].transpose(0, 1), x[0]); }, {sq}) == "");
  }
}

TEST_CASE("reductions match the cpu", "[cuda][core]") {
  Tensor x = cpu_leaf({7, 300, 5}, 5);
  CHECK(parity([](const Xs& v) { return sum(v[0]); }, {x}, 1e-5, 1e-4) == "");
  CHECK(parity([](const Xs& v) { return mean(v[0]); }, {x}) == "");
  CHECK(parity([](const Xs& v) { return max(v[0]); }, {x}) == "");
  for (int64_t d : {0, 1, 2})
    for (bool keep : {false, true}) {
      CHECK(parity([=](const Xs& v) { return sum(v[0], d, keep); }, {x}, 1e-5, 1e-4) == "");
      CHECK(parity([=](const Xs& v) { return max(v[0], d, keep); }, {x}) == "");
    }
  Tensor big = cpu_leaf({3, 5000}, 6);  // long rows take the block reduction
  CHECK(parity([](const Xs& v) { return sum(v[0], 1); }, {big}, 1e-5, 1e-3) == "");
  CHECK(argmax(x.detach().to(Device::cuda()), 1).cpu().to_vector<int64_t>() ==
        argmax(x.detach(), 1).to_vector<int64_t>());
}

TEST_CASE("matmul and linear match the cpu", "[cuda][core]") {
  Tensor a = cpu_leaf({37, 29}, 7), b = cpu_leaf({29, 41}, 8);
  CHECK(parity([](const Xs& v) { return matmul(v[0], v[1]); }, {a, b}, 1e-4, 1e-4) == "");
  Tensor ba = cpu_leaf({3, 9, 5}, 9), bb = cpu_leaf({3, 5, 4}, 10);
  CHECK(parity([](const Xs& v) { return matmul(v[0], v[1]); }, {ba, bb}, 1e-4, 1e-4) == "");
  Tensor x = cpu_leaf({16, 20}, 11), w = cpu_leaf({12, 20}, 12), bias = cpu_leaf({12}, 13);
  CHECK(parity([](const Xs& v) { return linear(v[0], v[1], v[2]); }, {x, w, bias}, 1e-4, 1e-4) ==
        "");
}

TEST_CASE("views, cat, pad and cast match the cpu", "[cuda][core]") {
  Tensor x = cpu_leaf({4, 6, 5}, 14), y = cpu_leaf({4, 3, 5}, 15);
  CHECK(parity([](const Xs& v) { return cat({v[0], v[1]}, 1); }, {x, y}) == "");
  CHECK(parity([](const Xs& v) { return pad(v[0], {2, 1, -1, 3}, 0.5); }, {x}) == "");
  CHECK(parity([](const Xs& v) { return v[0].slice(1, 1, 6, 2).permute({2, 0, 1}).contiguous(); },
               {x}) == "");
  CHECK(parity([](const Xs& v) { return cast(v[0], DType::Float64); }, {x}) == "");
}

TEST_CASE("float64 gradient checks on the GPU", "[cuda][grad]") {
  auto gpu_leaf = [](const Shape& s, uint64_t seed, double lo = -1, double hi = 1) {
    return leaf64(s, seed, lo, hi).detach().to(Device::cuda()).set_requires_grad();
  };
  Tensor a = gpu_leaf({3, 4}, 1), b = gpu_leaf({4}, 2, 0.5, 2.0);
  CHECK(gradcheck([](const Xs& v) { return div(mul(v[0], v[1]), add(v[1], 1.0)); }, {a, b}) == "");
  CHECK(gradcheck([](const Xs& v) { return tanh(matmul(v[0], v[0].transpose(0, 1))); }, {a}) == "");
  CHECK(gradcheck([](const Xs& v) { return max(v[0], 1); }, {a}) == "");
}
