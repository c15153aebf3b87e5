// softmax / log_softmax and the losses (cross_entropy with indices and with probabilities,
// mse_loss): forward values derived from their definitions, float64 gradchecks over dims,
// shapes and reductions, and the errors a user's mistake gets.
#include <catch2/catch.hpp>

#include <cmath>

#include "framework/tint.h"
#include "gradcheck.h"

using namespace tint;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

Tensor f64(const std::vector<double>& v, const Shape& shape) { return from_vector(v, shape); }
Tensor i64(const std::vector<int64_t>& v, const Shape& shape) { return from_vector(v, shape); }

// (N, C, H, W) -> (N*H*W, C), so a spatial loss can be compared with the plain 2-D one.
Tensor classes_last(const Tensor& x) {
  return x.permute({0, 2, 3, 1}).contiguous().reshape({-1, x.size(1)});
}

}  // namespace

TEST_CASE("softmax rows sum to one and follow exp ratios, over any dim", "[layers]") {
  Generator gen(3);
  const Tensor x = randn({3, 4, 5}, gen, kF64, 0.0, 2.0);
  const std::vector<double> xv = x.to_vector<double>();
  for (int64_t dim : {0, 1, 2, -1}) {
    const Tensor y = softmax(x, dim);
    REQUIRE(y.shape() == x.shape());
    const int64_t d = dim < 0 ? dim + 3 : dim;
    const Tensor row_sums = sum(y, d);
    for (double s : row_sums.to_vector<double>()) CHECK(s == Approx(1.0).epsilon(1e-12));
    // y_a / y_b = exp(x_a - x_b) for two elements of the same row.
    const Shape strides = contiguous_strides(x.shape());
    const int64_t a = 0, b = strides[d];  // index 0 and 1 along dim d
    const std::vector<double> yv = y.to_vector<double>();
    CHECK(yv[a] / yv[b] == Approx(std::exp(xv[a] - xv[b])).epsilon(1e-12));
    // log_softmax is the log of softmax.
    CHECK(max_abs_diff(log_softmax(x, dim), log(y)) < 1e-12);
  }
}

TEST_CASE("softmax is stable for large logits and exact for ties", "[layers]") {
  const Tensor big = f64({1000, 1001, 1002}, {1, 3});
  const Tensor small = f64({0, 1, 2}, {1, 3});
  CHECK(max_abs_diff(softmax(big, 1), softmax(small, 1)) < 1e-15);
  CHECK(max_abs_diff(log_softmax(big, 1), log_softmax(small, 1)) < 1e-12);
  for (double v : log_softmax(f64({-5e3, -5e3, -5e3, -5e3}, {4}), 0).to_vector<double>())
    CHECK(v == Approx(-std::log(4.0)));
  // float32 works too, and a 0-d tensor is one row of one element.
  const Tensor y32 = softmax(from_vector<float>({1, 2, 3, 4}, {2, 2}), 1);
  CHECK(y32.dtype() == DType::Float32);
  CHECK(sum(y32).item() == Approx(2.0));
  CHECK(softmax(scalar_tensor(7.0, kF64), 0).item() == 1.0);
}

TEST_CASE("softmax and log_softmax gradients match finite differences", "[layers]") {
  for (bool log_form : {false, true}) {
    for (int64_t dim : {0, 1, -1}) {
      for (const Shape& shape : {Shape{3, 4, 5}, Shape{7, 1}, Shape{2, 5}}) {
        const Tensor x = leaf64(shape, 11, -2.0, 2.0);
        auto f = [&](const std::vector<Tensor>& in) {
          return log_form ? log_softmax(in[0], dim) : softmax(in[0], dim);
        };
        INFO("log " << log_form << " dim " << dim << " shape " << shape_str(shape));
        CHECK(gradcheck(f, {x}) == "");
      }
    }
  }
  // Non-contiguous input.
  const Tensor x = leaf64({4, 3}, 5);
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return softmax(in[0].transpose(0, 1), 1); },
                  {x}) == "");
}

TEST_CASE("softmax rejects bad input with a clear error", "[layers]") {
  CHECK_THROWS_WITH(softmax(ones({2, 3}), 2), Contains("softmax") && Contains("dim 2"));
  CHECK_THROWS_WITH(log_softmax(ones({2}, TensorOptions{}.with_dtype(DType::Int64)), 0),
                    Contains("log_softmax") && Contains("int64"));
}

TEST_CASE("cross_entropy is the negative log-probability of the target class", "[layers]") {
  // Logits log(p) make log_softmax(x) = log(p) exactly when the rows of p sum to one.
  const std::vector<double> p = {0.2, 0.3, 0.5, 0.6, 0.1, 0.3};
  std::vector<double> lp;
  for (double v : p) lp.push_back(std::log(v) + 4.0);  // a shift must not matter
  const Tensor logits = f64(lp, {2, 3});
  const Tensor target = i64({2, 0}, {2});
  const double l0 = -std::log(0.5), l1 = -std::log(0.6);
  const Tensor none = cross_entropy(logits, target, Reduction::None);
  REQUIRE(none.shape() == Shape{2});
  CHECK(none.to_vector<double>()[0] == Approx(l0));
  CHECK(none.to_vector<double>()[1] == Approx(l1));
  CHECK(cross_entropy(logits, target, Reduction::Sum).item() == Approx(l0 + l1));
  CHECK(cross_entropy(logits, target).item() == Approx((l0 + l1) / 2));
  CHECK(cross_entropy(logits, target).shape() == Shape{});
}

TEST_CASE("cross_entropy mean skips ignore_index and divides by the counted targets",
          "[layers]") {
  Generator gen(8);
  const Tensor logits = randn({5, 4}, gen, kF64);
  const Tensor target = i64({1, -100, 3, 0, -100}, {5});
  const std::vector<double> each =
      cross_entropy(logits, target, Reduction::None).to_vector<double>();
  CHECK(each[1] == 0.0);
  CHECK(each[4] == 0.0);
  const double counted = each[0] + each[2] + each[3];
  CHECK(cross_entropy(logits, target, Reduction::Sum).item() == Approx(counted));
  CHECK(cross_entropy(logits, target).item() == Approx(counted / 3));
  // A custom ignore_index, and ignored rows get no gradient.
  const Tensor x = logits.clone().detach().set_requires_grad();
  cross_entropy(x, i64({1, 2, 3, 0, 2}, {5}), Reduction::Mean, 2).backward();
  const std::vector<double> g = x.grad().to_vector<double>();
  for (int c = 0; c < 4; ++c) {
    CHECK(g[1 * 4 + c] == 0.0);
    CHECK(g[4 * 4 + c] == 0.0);
  }
  // Each counted row's gradient sums to zero (softmax - onehot).
  CHECK(g[0] + g[1] + g[2] + g[3] == Approx(0.0).margin(1e-15));
  // Everything ignored: the mean is 0/0, as in PyTorch.
  CHECK(std::isnan(cross_entropy(logits, full({5}, -100, TensorOptions{}.with_dtype(DType::Int64)))
                       .item()));
}

TEST_CASE("spatial cross_entropy equals the 2-D loss over all positions", "[layers]") {
  Generator gen(9);
  const Tensor logits = randn({2, 3, 4, 5}, gen, kF64);
  const Tensor target = randint(0, 3, {2, 4, 5}, gen);
  const Tensor flat_target = target.reshape({-1});
  CHECK(cross_entropy(logits, target).item() ==
        Approx(cross_entropy(classes_last(logits), flat_target).item()).epsilon(1e-12));
  const Tensor none = cross_entropy(logits, target, Reduction::None);
  CHECK(none.shape() == Shape{2, 4, 5});
  CHECK(max_abs_diff(none.reshape({-1}),
                     cross_entropy(classes_last(logits), flat_target, Reduction::None)) < 1e-12);
  // float32 is supported.
  const Tensor l32 = cross_entropy(logits.to(DType::Float32), target);
  CHECK(l32.dtype() == DType::Float32);
  CHECK(l32.item() == Approx(cross_entropy(logits, target).item()).epsilon(1e-5));
}

TEST_CASE("cross_entropy gradients match finite differences", "[layers]") {
  Generator gen(10);
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    const Tensor x = leaf64({4, 5}, 21, -2, 2);
    const Tensor t = i64({4, 0, 2, 2}, {4});
    INFO("2-D, reduction " << static_cast<int>(r));
    CHECK(gradcheck([&](const std::vector<Tensor>& in) { return cross_entropy(in[0], t, r); },
                    {x}) == "");
    const Tensor xs = leaf64({2, 3, 3, 5}, 22, -2, 2);
    Tensor ts = randint(0, 3, {2, 3, 5}, gen);
    ts.data<int64_t>()[4] = -1;  // one ignored position
    ts.data<int64_t>()[7] = -1;
    INFO("spatial with ignore_index");
    CHECK(gradcheck([&](const std::vector<Tensor>& in) {
      return cross_entropy(in[0], ts, r, /*ignore_index=*/-1);
    }, {xs}) == "");
  }
}

TEST_CASE("cross_entropy reports bad targets naming the shapes, the value and C", "[layers]") {
  const Tensor logits = zeros({4, 3});
  CHECK_THROWS_WITH(cross_entropy(logits, i64({0, 1, 2}, {3})),
                    Contains("cross_entropy") && Contains("[3]") && Contains("[4, 3]") &&
                        Contains("[4]"));
  const Tensor flat_target = zeros({2, 20}, TensorOptions{}.with_dtype(DType::Int64));
  CHECK_THROWS_WITH(cross_entropy(zeros({2, 3, 4, 5}), flat_target),
                    Contains("[2, 20]") && Contains("[2, 3, 4, 5]") && Contains("[2, 4, 5]"));
  CHECK_THROWS_WITH(cross_entropy(logits, i64({0, 3, 1, 1}, {4})),
                    Contains("cross_entropy") && Contains("class 3") && Contains("C = 3"));
  CHECK_THROWS_WITH(cross_entropy(logits, i64({0, -2, 1, 1}, {4})), Contains("class -2"));
  CHECK_THROWS_WITH(cross_entropy(logits, zeros({4})), Contains("int64") && Contains("float32"));
  CHECK_THROWS_WITH(cross_entropy(zeros({3}), i64({0}, {1})),
                    Contains("cross_entropy") && Contains("(N, C)") && Contains("[3]"));
}

TEST_CASE("cross_entropy_soft: one-hot targets give the index loss; mean over positions",
          "[layers]") {
  Generator gen(12);
  const Tensor logits = randn({2, 4, 3, 3}, gen, kF64);
  const Tensor target = randint(0, 4, {2, 3, 3}, gen);
  // One-hot probabilities (N, C, H, W) built from the indices.
  Tensor onehot = zeros({2, 4, 3, 3}, kF64);
  const std::vector<int64_t> tv = target.to_vector<int64_t>();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 9; ++i)
      onehot.data<double>()[(b * 4 + tv[b * 9 + i]) * 9 + i] = 1.0;
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None})
    CHECK(max_abs_diff(cross_entropy_soft(logits, onehot, r), cross_entropy(logits, target, r)) <
          1e-12);
  // Uniform targets: loss = -mean_c log_softmax = logsumexp(x) - mean(x) per position; the
  // mean divides by N*H*W = 18 positions.
  const Tensor uniform = full({2, 4, 3, 3}, 0.25, kF64);
  const Tensor per = cross_entropy_soft(logits, uniform, Reduction::None);
  const Tensor expected = sub(log(sum(exp(logits), 1)), mean(logits, 1));
  CHECK(max_abs_diff(per, expected) < 1e-12);
  CHECK(cross_entropy_soft(logits, uniform).item() == Approx(sum(expected).item() / 18));
}

TEST_CASE("cross_entropy_soft gradients reach logits and target", "[layers]") {
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    for (const Shape& shape : {Shape{3, 5}, Shape{2, 3, 2, 3}}) {
      // Targets that do not sum to one check the exact gradient softmax * sum(t) - t.
      const Tensor x = leaf64(shape, 31, -2, 2), t = leaf64(shape, 32, 0, 1);
      INFO("shape " << shape_str(shape) << " reduction " << static_cast<int>(r));
      CHECK(gradcheck([&](const std::vector<Tensor>& in) {
        return cross_entropy_soft(in[0], in[1], r);
      }, {x, t}) == "");
    }
  }
}

TEST_CASE("cross_entropy_soft rejects mismatched targets", "[layers]") {
  CHECK_THROWS_WITH(cross_entropy_soft(zeros({2, 3}), zeros({2, 4})),
                    Contains("cross_entropy_soft") && Contains("[2, 3]") && Contains("[2, 4]"));
  CHECK_THROWS_WITH(cross_entropy_soft(zeros({2, 3}), zeros({2, 3}, kF64)),
                    Contains("cross_entropy_soft") && Contains("float64"));
}

TEST_CASE("mse_loss is the mean or sum of squared differences", "[layers]") {
  const Tensor x = f64({1, 2, 3, 4}, {2, 2}), t = f64({0, 4, 3, 1}, {2, 2});
  CHECK(mse_loss(x, t, Reduction::None).to_vector<double>() == std::vector<double>{1, 4, 0, 9});
  CHECK(mse_loss(x, t, Reduction::Sum).item() == 14.0);
  CHECK(mse_loss(x, t).item() == 3.5);
  CHECK(mse_loss(x.to(DType::Float32), t.to(DType::Float32)).item() == Approx(3.5));
}

TEST_CASE("mse_loss gradients reach input and target when they require them", "[layers]") {
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    const Tensor x = leaf64({3, 4, 5}, 41), t = leaf64({3, 4, 5}, 42);
    INFO("reduction " << static_cast<int>(r));
    CHECK(gradcheck([&](const std::vector<Tensor>& in) { return mse_loss(in[0], in[1], r); },
                    {x, t}) == "");
  }
  // A target without requires_grad gets nothing; the input still does.
  const Tensor x = leaf64({4}, 1);
  const Tensor t = f64({0, 0, 0, 0}, {4});
  mse_loss(x, t, Reduction::Sum).backward();
  CHECK_FALSE(t.grad().defined());
  CHECK(max_abs_diff(x.grad(), mul(x.detach(), 2.0)) < 1e-15);
}

TEST_CASE("mse_loss rejects mismatched shapes and dtypes", "[layers]") {
  CHECK_THROWS_WITH(mse_loss(zeros({2, 3}), zeros({3, 2})),
                    Contains("mse_loss") && Contains("[2, 3]") && Contains("[3, 2]"));
  CHECK_THROWS_WITH(mse_loss(zeros({2}), zeros({2}, kF64)),
                    Contains("mse_loss") && Contains("float32") && Contains("float64"));
}
