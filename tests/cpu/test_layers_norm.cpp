// batch_norm2d and dropout: statistics and running-stat updates derived from their
// definitions, eval behaviour, float64 gradchecks in every mode, the counter-based dropout
// mask, and the errors for bad arguments.
#include <catch2/catch.hpp>

#include <cmath>

#include "framework/core/random_math.h"
#include "framework/tint.h"
#include "gradcheck.h"

using namespace tint;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

// Per-channel mean and biased variance of an (N, C, H, W) tensor, straight from the definition.
void channel_moments(const Tensor& x, std::vector<double>& mean, std::vector<double>& var) {
  const int64_t n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
  const std::vector<double> v = x.to_vector<double>();
  mean.assign(c, 0.0);
  var.assign(c, 0.0);
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < hw; ++i) mean[ch] += v[(b * c + ch) * hw + i];
    mean[ch] /= static_cast<double>(n * hw);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < hw; ++i) {
        const double d = v[(b * c + ch) * hw + i] - mean[ch];
        var[ch] += d * d;
      }
    var[ch] /= static_cast<double>(n * hw);
  }
}

}  // namespace

TEST_CASE("batch_norm2d training normalises each channel to mean 0, variance 1", "[layers]") {
  Generator gen(1);
  const Tensor x = randn({4, 3, 5, 6}, gen, kF64, 3.0, 2.5);
  const Tensor y = batch_norm2d(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 0.0);
  std::vector<double> m, v;
  channel_moments(y, m, v);
  for (int c = 0; c < 3; ++c) {
    CHECK(m[c] == Approx(0.0).margin(1e-12));
    CHECK(v[c] == Approx(1.0).epsilon(1e-10));
  }
  // Affine: the channel's mean becomes bias and its standard deviation |weight|.
  const Tensor w = from_vector<double>({2.0, -0.5, 1.5}, {3});
  const Tensor b = from_vector<double>({1.0, 0.0, -3.0}, {3});
  const Tensor ya = batch_norm2d(x, Tensor(), Tensor(), w, b, true, 0.1, 0.0);
  channel_moments(ya, m, v);
  const std::vector<double> wv = {2.0, -0.5, 1.5}, bv = {1.0, 0.0, -3.0};
  for (int c = 0; c < 3; ++c) {
    CHECK(m[c] == Approx(bv[c]).margin(1e-12));
    CHECK(v[c] == Approx(wv[c] * wv[c]).epsilon(1e-10));
  }
  // float32 input works and agrees.
  const Tensor y32 = batch_norm2d(x.to(DType::Float32), Tensor(), Tensor(), w.to(DType::Float32),
                                  b.to(DType::Float32), true, 0.1, 0.0);
  CHECK(y32.dtype() == DType::Float32);
  CHECK(max_abs_diff(y32, ya) < 1e-4);
}

TEST_CASE("batch_norm2d updates running stats with momentum and unbiased variance", "[layers]") {
  Generator gen(2);
  const Tensor x = randn({2, 2, 3, 4}, gen, kF64, 1.0, 3.0);
  Tensor rm = from_vector<double>({0.5, -1.0}, {2});
  Tensor rv = from_vector<double>({2.0, 0.25}, {2});
  std::vector<double> m, v;
  channel_moments(x, m, v);
  const double count = 2 * 3 * 4, momentum = 0.3;
  batch_norm2d(x, rm, rv, Tensor(), Tensor(), true, momentum);
  const std::vector<double> rm0 = {0.5, -1.0}, rv0 = {2.0, 0.25};
  for (int c = 0; c < 2; ++c) {
    CHECK(rm.to_vector<double>()[c] == Approx((1 - momentum) * rm0[c] + momentum * m[c]));
    CHECK(rv.to_vector<double>()[c] ==
          Approx((1 - momentum) * rv0[c] + momentum * v[c] * count / (count - 1)));
  }
  // Strided running buffers are updated in place too.
  Tensor buffer = zeros({4}, kF64);  // rm[c] at 2c, rv[c] at 2c + 1
  Tensor rm_view = buffer.slice(0, 0, 4, 2);
  Tensor rv_view = buffer.slice(0, 1, 4, 2);
  REQUIRE_FALSE(rm_view.is_contiguous());
  rv_view.fill_(1.0);
  batch_norm2d(x, rm_view, rv_view, Tensor(), Tensor(), true, 1.0);
  const std::vector<double> bv = buffer.to_vector<double>();
  for (int c = 0; c < 2; ++c) {
    CHECK(bv[c * 2 + 0] == Approx(m[c]));
    CHECK(bv[c * 2 + 1] == Approx(v[c] * count / (count - 1)));
  }
}

TEST_CASE("batch_norm2d eval uses the running statistics and leaves them alone", "[layers]") {
  Generator gen(3);
  const Tensor x = randn({2, 3, 2, 3}, gen, kF64);
  const std::vector<double> rmv = {0.1, -0.2, 0.3}, rvv = {1.5, 0.5, 2.0};
  const std::vector<double> wv = {1.0, 2.0, -1.0}, bv = {0.0, 0.5, 1.0};
  Tensor rm = from_vector<double>(rmv, {3}), rv = from_vector<double>(rvv, {3});
  const double eps = 1e-3;
  const Tensor y = batch_norm2d(x, rm, rv, from_vector<double>(wv, {3}),
                                from_vector<double>(bv, {3}), false, 0.1, eps);
  const std::vector<double> xv = x.to_vector<double>(), yv = y.to_vector<double>();
  for (size_t i = 0; i < xv.size(); ++i) {
    const size_t c = (i / 6) % 3;
    CHECK(yv[i] == Approx((xv[i] - rmv[c]) / std::sqrt(rvv[c] + eps) * wv[c] + bv[c]));
  }
  CHECK(rm.to_vector<double>() == rmv);
  CHECK(rv.to_vector<double>() == rvv);
}

TEST_CASE("batch_norm2d gradients match finite differences in every mode", "[layers]") {
  for (const Shape& shape : {Shape{2, 3, 4, 5}, Shape{3, 2, 1, 3}, Shape{1, 4, 3, 3}}) {
    const int64_t c = shape[1];
    const Tensor x = leaf64(shape, 51, -2, 2);
    const Tensor w = leaf64({c}, 52, 0.5, 1.5), b = leaf64({c}, 53);
    Tensor rm = zeros({c}, kF64), rv = ones({c}, kF64);
    INFO("shape " << shape_str(shape));
    CHECK(gradcheck([&](const std::vector<Tensor>& in) {
      return batch_norm2d(in[0], rm, rv, in[1], in[2], true, 0.1, 1e-5);
    }, {x, w, b}) == "");
    CHECK(gradcheck([&](const std::vector<Tensor>& in) {
      return batch_norm2d(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
    }, {x}) == "");
    Tensor erm = from_vector<double>(std::vector<double>(c, 0.2), {c});
    Tensor erv = from_vector<double>(std::vector<double>(c, 0.7), {c});
    CHECK(gradcheck([&](const std::vector<Tensor>& in) {
      return batch_norm2d(in[0], erm, erv, in[1], in[2], false, 0.1, 1e-5);
    }, {x, w, b}) == "");
  }
}

TEST_CASE("batch_norm2d rejects bad shapes naming both", "[layers]") {
  const Tensor x = zeros({2, 3, 4, 4});
  const Tensor c3 = ones({3});
  CHECK_THROWS_WITH(batch_norm2d(zeros({2, 3, 4}), c3, c3, c3, c3, true),
                    Contains("batch_norm2d") && Contains("4-D") && Contains("[2, 3, 4]"));
  CHECK_THROWS_WITH(batch_norm2d(x, c3, c3, ones({4}), c3, true),
                    Contains("batch_norm2d") && Contains("weight") && Contains("[4]") &&
                        Contains("[2, 3, 4, 4]"));
  CHECK_THROWS_WITH(batch_norm2d(x, ones({3, 1}), c3, c3, c3, true),
                    Contains("running_mean") && Contains("[3, 1]") && Contains("[2, 3, 4, 4]"));
  CHECK_THROWS_WITH(batch_norm2d(x, c3, ones({2}), Tensor(), Tensor(), false),
                    Contains("running_var") && Contains("[2]"));
  CHECK_THROWS_WITH(batch_norm2d(x, Tensor(), Tensor(), c3, c3, false),
                    Contains("batch_norm2d") && Contains("eval"));
  CHECK_THROWS_WITH(batch_norm2d(zeros({1, 3, 1, 1}), c3, c3, c3, c3, true),
                    Contains("more than one value per channel") && Contains("[1, 3, 1, 1]"));
  CHECK_THROWS_WITH(batch_norm2d(x, c3, c3, ones({3}, kF64), c3, true),
                    Contains("batch_norm2d") && Contains("float64"));
}

TEST_CASE("dropout keeps about 1-p of the elements and scales them by 1/(1-p)", "[layers]") {
  const double p = 0.3;
  Generator gen(77);
  const Tensor x = full({100000}, 2.0, kF64);
  const std::vector<double> y = dropout(x, p, true, gen).to_vector<double>();
  int64_t kept = 0;
  for (double v : y) {
    if (v != 0.0) {
      ++kept;
      CHECK(v == Approx(2.0 / (1 - p)));
    }
  }
  // Binomial standard deviation of the kept fraction is ~0.0015; allow 5 sigma.
  CHECK(static_cast<double>(kept) / y.size() == Approx(1 - p).margin(0.0075));
  CHECK(gen.offset() == 100000);  // the call reserved one counter per element
}

TEST_CASE("dropout's mask is uniform(seed, counter) < p, reproducible per seed", "[layers]") {
  const double p = 0.5;
  Generator gen(5);
  gen.set_offset(1000);
  const Tensor x = ones({3, 7}, kF64);
  const std::vector<double> y = dropout(x, p, true, gen).to_vector<double>();
  for (size_t i = 0; i < y.size(); ++i)
    CHECK((y[i] == 0.0) == (rnd::uniform(5, 1000 + i) < p));
  Generator a(9), b(9);
  const Tensor r = rand({50}, a);
  b.take(50);
  CHECK(dropout(r, p, true, a).to_vector<float>() == dropout(r, p, true, b).to_vector<float>());
  // The next call continues the stream, so the mask changes.
  Generator fresh(9);
  CHECK(dropout(r, p, true, a).to_vector<float>() != dropout(r, p, true, fresh).to_vector<float>());
}

TEST_CASE("dropout is the identity in eval or with p = 0, and zero with p = 1", "[layers]") {
  Generator gen(1);
  const Tensor x = rand({4, 5}, gen);
  CHECK(dropout(x, 0.5, false, gen).same(x));
  CHECK(dropout(x, 0.0, true, gen).same(x));
  CHECK(gen.offset() == 20);  // only rand() drew counters
  for (float v : dropout(x, 1.0, true, gen).to_vector<float>()) CHECK(v == 0.0f);
  CHECK_THROWS_WITH(dropout(x, -0.1, true, gen), Contains("dropout") && Contains("-0.1"));
  CHECK_THROWS_WITH(dropout(x, 1.5, true, gen), Contains("dropout") && Contains("1.5"));
  CHECK_THROWS_WITH(dropout(ones({2}, TensorOptions{}.with_dtype(DType::Int32)), 0.5, true),
                    Contains("dropout") && Contains("int32"));
}

TEST_CASE("dropout's backward applies the forward's mask and scale", "[layers]") {
  for (const Shape& shape : {Shape{3, 4, 5}, Shape{7}}) {
    const Tensor x = leaf64(shape, 61);
    // Re-seeded inside so every evaluation draws the same mask.
    CHECK(gradcheck([](const std::vector<Tensor>& in) {
      Generator g(123);
      return dropout(in[0], 0.4, true, g);
    }, {x}) == "");
  }
  // The gradient is exactly output / input for a nonzero input.
  const Tensor x = full({200}, 3.0, kF64).set_requires_grad();
  Generator g(4);
  const Tensor y = dropout(x, 0.25, true, g);
  sum(y).backward();
  CHECK(max_abs_diff(x.grad(), div(y.detach(), 3.0)) < 1e-15);
}
