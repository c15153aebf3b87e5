// The autograd engine: gradients from a scalar or a given gradient, accumulation across
// uses and across backward calls, no-grad, detach, and the freed-graph error.
#include <catch2/catch.hpp>

#include "framework/tint.h"

using namespace tint;
using Catch::Matchers::Contains;

TEST_CASE("backward from a scalar fills leaf gradients", "[autograd]") {
  Tensor x = from_vector<double>({1, 2, 3}, {3}).set_requires_grad();
  Tensor y = sum(x * x + x * 3.0);  // dy/dx = 2x + 3
  y.backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>{5, 7, 9});
}

TEST_CASE("a tensor used twice gets the sum of both paths", "[autograd]") {
  Tensor x = from_vector<double>({2}, {1}).set_requires_grad();
  Tensor a = x * 3.0;
  Tensor y = sum(a * a + a);  // d/dx = (2a + 1) * 3 = 39
  y.backward();
  CHECK(x.grad().item() == 39.0);
}

TEST_CASE("gradients accumulate with += across backward calls", "[autograd]") {
  Tensor w = ones({2}, TensorOptions{}.with_dtype(DType::Float64)).set_requires_grad();
  sum(w * 2.0).backward();
  sum(w * 5.0).backward();
  CHECK(w.grad().to_vector<double>() == std::vector<double>{7, 7});
  w.zero_grad();
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("the same gradient flowing to two leaves is not aliased", "[autograd]") {
  Tensor a = zeros({2}).set_requires_grad();
  Tensor b = zeros({2}).set_requires_grad();
  sum(a + b).backward();
  sum(a * 4.0).backward();  // only a's gradient changes
  CHECK(a.grad().to_vector<float>() == std::vector<float>{5, 5});
  CHECK(b.grad().to_vector<float>() == std::vector<float>{1, 1});
}

TEST_CASE("a leaf's first gradient is taken without a copy only when nothing else holds it",
          "[autograd]") {
  Tensor x = from_vector<float>({1, 2, 3}, {3}).set_requires_grad();
  op_profile::reset();
  op_profile::enable(true);
  sum(x * 3.0).backward();  // mul's backward makes a fresh gradient: it becomes x.grad
  op_profile::enable(false);
  for (const auto& t : op_profile::snapshot()) CHECK(t.op != std::string("copy_strided"));
  op_profile::reset();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{3, 3, 3});

  // A gradient the caller keeps is copied: changing it later leaves .grad alone.
  Tensor leaf = zeros({2}).set_requires_grad();
  Tensor g = ones({2});
  leaf.backward(g);
  g.fill_(5.0);
  CHECK(leaf.grad().to_vector<float>() == std::vector<float>{1, 1});
  leaf.backward(g);  // accumulates in place into .grad, not into g
  CHECK(leaf.grad().to_vector<float>() == std::vector<float>{6, 6});
  CHECK(g.to_vector<float>() == std::vector<float>{5, 5});
}

TEST_CASE("backward with an explicit gradient", "[autograd]") {
  Tensor x = from_vector<float>({1, 2}, {2}).set_requires_grad();
  Tensor y = x * x;
  y.backward(from_vector<float>({1, 10}, {2}));
  CHECK(x.grad().to_vector<float>() == std::vector<float>{2, 40});
  CHECK_THROWS_WITH((x * 2.0).backward(), Contains("one element"));
  CHECK_THROWS_WITH((x * 2.0).backward(ones({3})), Contains("does not match"));
}

TEST_CASE("no-grad guard and detach stop recording", "[autograd]") {
  Tensor x = ones({2}).set_requires_grad();
  {
    NoGradGuard guard;
    Tensor y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
  }
  CHECK((x * 2.0).requires_grad());
  CHECK_FALSE(x.detach().requires_grad());
  CHECK_THROWS_WITH(sum(x.detach()).backward(), Contains("does not require grad"));
  CHECK_THROWS_WITH((x * 2.0).set_requires_grad(), Contains("leaf"));
  CHECK_THROWS_WITH(ones({1}, TensorOptions{}.with_dtype(DType::Int64)).set_requires_grad(),
                    Contains("int64"));
}

TEST_CASE("a second backward through a freed graph is a clear error", "[autograd]") {
  Tensor x = ones({2}).set_requires_grad();
  Tensor y = sum(exp(x));
  y.backward();
  CHECK_THROWS_WITH(y.backward(), Contains("already freed"));
  Tensor z = sum(exp(x));
  z.backward(Tensor(), /*retain_graph=*/true);
  z.backward();
  CHECK(x.grad().to_vector<float>()[0] == Approx(3 * std::exp(1.0)));
}

TEST_CASE("deep graphs do not overflow the stack", "[autograd]") {
  Tensor x = ones({1}, TensorOptions{}.with_dtype(DType::Float64)).set_requires_grad();
  Tensor y = x;
  for (int i = 0; i < 20000; ++i) y = y + 1.0;
  sum(y).backward();
  CHECK(x.grad().item() == 1.0);
  Tensor unused = x;
  for (int i = 0; i < 200000; ++i) unused = unused * 1.0;
  unused = Tensor();  // dropping a long graph without backward must not recurse
  SUCCEED();
}
