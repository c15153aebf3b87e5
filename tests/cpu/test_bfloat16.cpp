// bfloat16 (framework/core/bfloat16.h) as a storage dtype: rounding to nearest even, NaN,
// infinities and overflow; casts both ways (strided views, autograd through the cast),
// full/zeros, to_vector/from_vector, safetensors BF16; ops outside the mixed-precision path
// refuse it by name.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "framework/tint.h"
#include "temp_dir.h"

using namespace tint;
using Catch::Matchers::Contains;

namespace {

float through_bf16(float x) { return static_cast<float>(bfloat16(x)); }

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

}  // namespace

TEST_CASE("bfloat16 rounds to nearest, ties to even", "[bfloat16]") {
  CHECK(through_bf16(1.0f) == 1.0f);
  CHECK(through_bf16(-2.5f) == -2.5f);
  CHECK(through_bf16(0.0f) == 0.0f);
  CHECK(std::signbit(through_bf16(-0.0f)));
  // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
  CHECK(through_bf16(1.0f + 0x1p-8f) == 1.0f);
  // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: even is 1 + 2^-6.
  CHECK(through_bf16(1.0f + 3 * 0x1p-8f) == 1.0f + 0x1p-6f);
  CHECK(through_bf16(1.0f + 0x1p-8f + 0x1p-20f) == 1.0f + 0x1p-7f);  // above half: up
  // Every float rounds to one of its two bfloat16 neighbours, the nearer one.
  std::mt19937 rng(3);
  std::uniform_int_distribution<uint32_t> any(0, 0x7f7fffffu);
  for (int i = 0; i < 20000; ++i) {
    const float x = float_of(any(rng));
    const float down = float_of(bits_of(x) & 0xffff0000u);
    const float up = float_of((bits_of(x) & 0xffff0000u) + 0x10000u);
    const float r = through_bf16(x);
    REQUIRE((r == down || r == up));
    CHECK(std::abs(r - x) <= std::abs((r == down ? up : down) - x));
  }
}

TEST_CASE("bfloat16 keeps NaN and infinities and overflows to infinity", "[bfloat16]") {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(std::isnan(through_bf16(std::nanf(""))));
  CHECK(std::isnan(through_bf16(float_of(0x7f800001u))));  // a NaN whose payload is low bits
  CHECK(through_bf16(inf) == inf);
  CHECK(through_bf16(-inf) == -inf);
  CHECK(through_bf16(std::numeric_limits<float>::max()) == inf);
  CHECK(through_bf16(0x1.fcp127f) == 0x1.fcp127f);  // the largest finite bfloat16
}

TEST_CASE("tensors cast to and from bfloat16, views and gradients included", "[bfloat16]") {
  Generator gen(5);
  const Tensor x = randn({3, 4, 5}, gen);
  const Tensor b = x.to(DType::BFloat16);
  CHECK(b.dtype() == DType::BFloat16);
  CHECK(b.nbytes() == 3 * 4 * 5 * 2);
  const std::vector<float> xs = x.to_vector<float>(), back = b.to(DType::Float32).to_vector<float>();
  for (size_t i = 0; i < xs.size(); ++i) CHECK(back[i] == through_bf16(xs[i]));
  // A transposed view, and float64 through bfloat16.
  const Tensor bt = x.transpose(0, 2).to(DType::BFloat16);
  CHECK(bt.to(DType::Float32).to_vector<float>() ==
        b.transpose(0, 2).to(DType::Float32).to_vector<float>());
  CHECK(x.to(DType::Float64).to(DType::BFloat16).to(DType::Float32).to_vector<float>() == back);
  // to_vector / from_vector with the bfloat16 type itself.
  const std::vector<bfloat16> raw = b.to_vector<bfloat16>();
  CHECK(from_vector(raw, {3, 4, 5}).to(DType::Float32).to_vector<float>() == back);
  // full / zeros.
  CHECK(full({2}, 1.5, TensorOptions{}.with_dtype(DType::BFloat16)).to_vector<float>() ==
        std::vector<float>{1.5f, 1.5f});
  CHECK(zeros({2}, TensorOptions{}.with_dtype(DType::BFloat16)).to_vector<double>() ==
        std::vector<double>{0, 0});
  // The cast is differentiable: the gradient comes back as float32.
  const Tensor leaf = x.detach().clone().set_requires_grad();
  sum(leaf.to(DType::BFloat16).to(DType::Float32) * 2.0).backward();
  CHECK(leaf.grad().dtype() == DType::Float32);
  for (float g : leaf.grad().to_vector<float>()) CHECK(g == 2.0f);
}

TEST_CASE("compute ops outside the mixed-precision path refuse bfloat16 by name", "[bfloat16]") {
  // (The elementwise ops, convolutions, bias_relu, batch norm, dropout and upsampling take it:
  // test_mixed_precision.cpp.)
  const Tensor b = ones({2, 3}).to(DType::BFloat16);
  CHECK_THROWS_WITH(sum(b), Contains("bfloat16"));
  CHECK_THROWS_WITH(softmax(b, 1), Contains("bfloat16"));
  CHECK_THROWS_WITH(matmul(b, b.transpose(0, 1)), Contains("bfloat16"));
}

TEST_CASE("safetensors stores bfloat16 as BF16", "[bfloat16][safetensors]") {
  testing::TempDir dir;
  Generator gen(6);
  const Tensor w = randn({4, 3}, gen).to(DType::BFloat16);
  const std::string path = (dir.path / "w.safetensors").string();
  save_safetensors(path, {{"w", w}});
  const SafetensorsFile loaded = load_safetensors(path);
  const Tensor& got = loaded.tensors.at("w");
  CHECK(got.dtype() == DType::BFloat16);
  CHECK(got.to_vector<float>() == w.to_vector<float>());
}
