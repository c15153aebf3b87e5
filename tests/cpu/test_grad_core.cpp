// Float64 gradient checks of the core ops (elementwise with broadcasting, scalar forms,
// reductions, matmul/linear, views, cat/pad/cast) and their forward values.
#include <catch2/catch.hpp>

#include "framework/tint.h"
#include "gradcheck.h"

using namespace tint;
using tint::testing::gradcheck;
using tint::testing::leaf64;
using Catch::Matchers::Contains;
using Xs = std::vector<Tensor>;

TEST_CASE("binary ops with broadcasting pass the gradient check", "[grad][core]") {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 4}, {3, 4}}, {{2, 3, 5}, {5}}, {{4, 1}, {1, 3}}, {{2, 1, 3}, {2, 4, 1}}, {{}, {3}}};
  for (const auto& [sa, sb] : shapes) {
    INFO("shapes " << shape_str(sa) << " and " << shape_str(sb));
    Tensor a = leaf64(sa, 1), b = leaf64(sb, 2, 0.5, 2.0);  // b away from 0 for div
    CHECK(gradcheck([](const Xs& x) { return add(x[0], x[1]); }, {a, b}) == "");
    CHECK(gradcheck([](const Xs& x) { return sub(x[0], x[1]); }, {a, b}) == "");
    CHECK(gradcheck([](const Xs& x) { return mul(x[0], x[1]); }, {a, b}) == "");
    CHECK(gradcheck([](const Xs& x) { return div(x[0], x[1]); }, {a, b}) == "");
    CHECK(gradcheck([](const Xs& x) { return maximum(x[0], x[1]); }, {a, b}) == "");
    Tensor base = leaf64(sa, 3, 0.5, 2.0);
    CHECK(gradcheck([](const Xs& x) { return pow(x[0], x[1]); }, {base, b}) == "");
  }
}

TEST_CASE("scalar forms and unary ops pass the gradient check", "[grad][core]") {
  for (const Shape& s : {Shape{7}, Shape{2, 3, 5}}) {
    Tensor x = leaf64(s, 4);
    Tensor pos = leaf64(s, 5, 0.2, 3.0);
    CHECK(gradcheck([](const Xs& v) { return add(v[0], 1.5); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return sub(v[0], 1.5); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return rsub(2.0, v[0]); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return mul(v[0], -3.0); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return div(v[0], 4.0); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return rdiv(2.0, v[0]); }, {pos}) == "");
    CHECK(gradcheck([](const Xs& v) { return pow(v[0], 2.5); }, {pos}) == "");
    CHECK(gradcheck([](const Xs& v) { return neg(v[0]); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return exp(v[0]); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return log(v[0]); }, {pos}) == "");
    CHECK(gradcheck([](const Xs& v) { return sqrt(v[0]); }, {pos}) == "");
    CHECK(gradcheck([](const Xs& v) { return sigmoid(v[0]); }, {x}) == "");
    CHECK(gradcheck([](const Xs& v) { return tanh(v[0]); }, {x}) == "");
    // Kinks avoided: inputs sit at least 0.05 away from 0 and from the clamp bounds.
    Tensor away = add(mul(gt(x.detach(), 0.0).to(DType::Float64), 0.1), sub(x.detach(), 0.05));
    away = away.contiguous().set_requires_grad();
    CHECK(gradcheck([](const Xs& v) { return relu(v[0]); }, {away}) == "");
    CHECK(gradcheck([](const Xs& v) { return abs(v[0]); }, {away}) == "");
    Tensor spread = mul(away.detach(), 3.0).contiguous().set_requires_grad();
    CHECK(gradcheck([](const Xs& v) { return clamp(v[0], -1.0, 1.0); }, {spread}) == "");
  }
}

TEST_CASE("unary forward values", "[core]") {
  Tensor x = from_vector<double>({-2, -0.5, 0, 0.5, 2}, {5});
  CHECK(relu(x).to_vector<double>() == std::vector<double>{0, 0, 0, 0.5, 2});
  CHECK(clamp(x, -1, 1).to_vector<double>() == std::vector<double>{-1, -0.5, 0, 0.5, 1});
  CHECK(abs(x).to_vector<double>() == std::vector<double>{2, 0.5, 0, 0.5, 2});
  CHECK(sigmoid(x).to_vector<double>()[2] == 0.5);
  CHECK(tanh(x).to_vector<double>()[4] == Approx(std::tanh(2.0)));
  CHECK((x * x - 1.0).to_vector<double>()[0] == 3.0);
  CHECK((1.0 / from_vector<double>({4}, {1})).item() == 0.25);
  CHECK(add(from_vector<int64_t>({1, 2}, {2}), from_vector<int64_t>({10, 20}, {2}))
            .to_vector<int64_t>() == std::vector<int64_t>{11, 22});
}

TEST_CASE("reductions pass the gradient check", "[grad][core]") {
  Tensor x = leaf64({3, 4, 5}, 6);
  CHECK(gradcheck([](const Xs& v) { return sum(v[0]); }, {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return mean(v[0]); }, {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return max(v[0]); }, {x}) == "");
  for (int64_t d : {0, 1, 2, -1}) {
    for (bool keep : {false, true}) {
      INFO("dim " << d << " keepdim " << keep);
      CHECK(gradcheck([=](const Xs& v) { return sum(v[0], d, keep); }, {x}) == "");
      CHECK(gradcheck([=](const Xs& v) { return mean(v[0], d, keep); }, {x}) == "");
      CHECK(gradcheck([=](const Xs& v) { return max(v[0], d, keep); }, {x}) == "");
    }
  }
}

TEST_CASE("reduction values and argmax", "[core]") {
  Tensor x = from_vector<float>({1, 5, 3, 7, 2, 7}, {2, 3});
  CHECK(sum(x).item() == 25);
  CHECK(sum(x, 0).to_vector<float>() == std::vector<float>{8, 7, 10});
  CHECK(sum(x, 1, true).shape() == Shape{2, 1});
  CHECK(mean(x, 1).to_vector<float>() == std::vector<float>{3, 16.0f / 3});
  CHECK(max(x, 1).to_vector<float>() == std::vector<float>{5, 7});
  CHECK(argmax(x, 1).to_vector<int64_t>() == std::vector<int64_t>{1, 0});  // first max wins
  CHECK(argmax(x).item() == 3);
  CHECK(argmax(x, 0, true).shape() == Shape{1, 3});
  CHECK(argmax(x).dtype() == DType::Int64);
  CHECK_THROWS_WITH(sum(x, 2), Contains("dim 2 is out of range"));
}

TEST_CASE("matmul and linear pass the gradient check", "[grad][core]") {
  Tensor a = leaf64({3, 4}, 7), b = leaf64({4, 5}, 8);
  CHECK(gradcheck([](const Xs& v) { return matmul(v[0], v[1]); }, {a, b}) == "");
  Tensor ba = leaf64({2, 3, 4}, 9), bb = leaf64({2, 4, 2}, 10);
  CHECK(gradcheck([](const Xs& v) { return matmul(v[0], v[1]); }, {ba, bb}) == "");
  Tensor x = leaf64({5, 3}, 11), w = leaf64({4, 3}, 12), bias = leaf64({4}, 13);
  CHECK(gradcheck([](const Xs& v) { return linear(v[0], v[1], v[2]); }, {x, w, bias}) == "");
  CHECK(gradcheck([](const Xs& v) { return linear(v[0], v[1]); }, {x, w}) == "");
  Tensor x3 = leaf64({2, 5, 3}, 14);
  CHECK(gradcheck([](const Xs& v) { return linear(v[0], v[1], v[2]); }, {x3, w, bias}) == "");
}

TEST_CASE("matmul values and shape errors", "[core]") {
  Tensor a = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector<float>({1, 0, 0, 1, 1, 1}, {3, 2});
  CHECK(matmul(a, b).to_vector<float>() == std::vector<float>{4, 5, 10, 11});
  CHECK(matmul(a.transpose(0, 1), a).shape() == Shape{3, 3});  // non-contiguous operand
  CHECK_THROWS_WITH(matmul(a, a), Contains("[2, 3] and [2, 3] cannot be multiplied"));
  CHECK_THROWS_WITH(matmul(a, b.to(DType::Float64)), Contains("float32"));
  CHECK_THROWS_WITH(linear(a, ones({4, 2})), Contains("in_features 2"));
  // An empty inner dimension gives zeros (an empty sum), as in PyTorch; empty outer ones give
  // empty results.
  const Tensor empty_inner = matmul(zeros({3, 0}), zeros({0, 4}));
  CHECK(empty_inner.shape() == Shape{3, 4});
  CHECK(empty_inner.to_vector<float>() == std::vector<float>(12, 0.0f));
  CHECK(matmul(zeros({0, 3}), b).shape() == Shape{0, 2});
}

TEST_CASE("views, cat, pad and cast pass the gradient check", "[grad][core]") {
  Tensor x = leaf64({2, 3, 4}, 15);
  CHECK(gradcheck([](const Xs& v) { return v[0].reshape({4, 6}); }, {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return v[0].permute({2, 0, 1}); }, {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return v[0].slice(2, 1, 4, 2); }, {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return v[0].transpose(0, 2).contiguous(); }, {x}) == "");
  Tensor y = leaf64({2, 5, 4}, 16);
  CHECK(gradcheck([](const Xs& v) { return cat({v[0], v[1]}, 1); }, {x, y}) == "");
  CHECK(gradcheck([](const Xs& v) { return pad(v[0], {1, 2, 0, 1}); }, {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return pad(v[0], {-1, 1}); }, {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return cast(cast(v[0], DType::Float32), DType::Float64); },
                  {x}, {1e-3, 1e-3, 1e-5}) == "");
}

TEST_CASE("cat and pad values and errors", "[core]") {
  Tensor a = from_vector<float>({1, 2}, {1, 2}), b = from_vector<float>({3, 4, 5, 6}, {2, 2});
  CHECK(cat({a, b}, 0).to_vector<float>() == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(cat({b, b}, 1).shape() == Shape{2, 4});
  CHECK_THROWS_WITH(cat({a, b}, 1), Contains("may differ only in dim 1"));
  CHECK(pad(a, {1, 1}, 9).to_vector<float>() == std::vector<float>{9, 1, 2, 9});
  CHECK(pad(b, {0, 0, 1, 0}).shape() == Shape{3, 2});
  CHECK(pad(b, {-1, 0}).to_vector<float>() == std::vector<float>{4, 6});
  CHECK_THROWS_WITH(pad(a, {1}), Contains("pairs"));
}

TEST_CASE("elementwise shape and dtype mismatches name the op and both shapes", "[core]") {
  Tensor a = ones({2, 3}), b = ones({4, 3});
  CHECK_THROWS_WITH(add(a, b), Contains("add: shapes [2, 3] and [4, 3] cannot be broadcast"));
  CHECK_THROWS_WITH(mul(a, ones({2, 3}, TensorOptions{}.with_dtype(DType::Float64))),
                    Contains("mul: dtype mismatch"));
  CHECK_THROWS_WITH(exp(ones({2}, TensorOptions{}.with_dtype(DType::Int64))),
                    Contains("exp: the input must be float32 or float64, got int64"));
  CHECK_THROWS_WITH(div(ones({1}, TensorOptions{}.with_dtype(DType::Int32)), 2.0),
                    Contains("div"));
  CHECK_THROWS_WITH(add(a, Tensor()), Contains("undefined"));
}
