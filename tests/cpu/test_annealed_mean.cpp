// Annealed-mean decoding: T = 1 is the expectation of the bin centres under softmax(logits),
// T -> 0 the centre of the most likely bin, any T equals T = 1 on logits / T, the
// probability form equals the logit form, every T > 0 (down to the smallest double) against
// a double-precision reference, ties and -inf included, and the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "framework/tint.h"
#include "gradcheck.h"
#include "kernels/annealed_mean.h"

using namespace tint;
using namespace tint::color;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

// softmax(logits, 1) . centres, on the host, for (N, 313, inner) logits.
std::vector<double> expectation(const Tensor& logits) {
  const AbBins& bins = AbBins::standard();
  const Tensor p = softmax(logits, 1);
  const std::vector<double> pv = p.to_vector<double>();
  const int64_t n = logits.size(0), inner = logits.numel() / (n * 313);
  std::vector<double> out(static_cast<size_t>(n * 2 * inner), 0.0);
  for (int64_t nn = 0; nn < n; ++nn)
    for (int64_t q = 0; q < 313; ++q)
      for (int64_t i = 0; i < inner; ++i) {
        const double w = pv[(nn * 313 + q) * inner + i];
        out[nn * 2 * inner + i] += w * bins.a(q);
        out[(nn * 2 + 1) * inner + i] += w * bins.b(q);
      }
  return out;
}

// The annealed mean of one row y (log-weights: logits, or log p) in double precision, written
// the plain way with the division by T after the maximum is subtracted:
// sum_c exp((y_c - max) / T) * centre_c / sum_c exp((y_c - max) / T).
std::pair<double, double> reference_row(const std::vector<double>& y, double t) {
  const AbBins& bins = AbBins::standard();
  double m = -std::numeric_limits<double>::infinity();
  for (double v : y) m = std::max(m, v);
  double s = 0, sa = 0, sb = 0;
  for (size_t c = 0; c < y.size(); ++c) {
    const double w = y[c] == m ? 1.0 : std::exp((y[c] - m) / t);
    s += w;
    sa += w * bins.a(static_cast<int64_t>(c));
    sb += w * bins.b(static_cast<int64_t>(c));
  }
  return {sa / s, sb / s};
}

// Rows of logits (N, 313) for the temperature sweep: random; two bins tied for the maximum;
// three tied among -inf entries; maxima apart by less than a float's step near them; a row of
// huge logits; and one whose maximum is alone among -inf.
std::vector<double> sweep_rows(int64_t* rows) {
  const double inf = std::numeric_limits<double>::infinity();
  Generator gen(11);
  std::vector<double> x = randn({6, 313}, gen, kF64, 0.0, 2.0).to_vector<double>();
  auto row = [&](int64_t r) { return x.begin() + r * 313; };
  row(1)[40] = row(1)[250] = 9.0;  // a tie
  for (int64_t c = 0; c < 313; ++c) row(2)[c] = c % 3 == 0 ? -inf : row(2)[c];
  row(2)[3] = row(2)[33] = row(2)[300] = 7.5;  // a tie among -inf
  row(3)[100] = 6.0;
  row(3)[200] = 6.0 - 1e-3;  // close runner-up: the weights move with T
  for (int64_t c = 0; c < 313; ++c) row(4)[c] *= 1e30;
  for (int64_t c = 0; c < 313; ++c) row(5)[c] = c == 77 ? -3.0 : -inf;
  *rows = 6;
  return x;
}

}  // namespace

TEST_CASE("annealed mean is exact for every T > 0, down to the smallest double",
          "[annealed]") {
  int64_t rows = 0;
  const std::vector<double> x = sweep_rows(&rows);
  const Tensor logits = from_vector(x, {rows, 313});
  const AbBins& bins = AbBins::standard();
  for (double t : {4.9e-324, 1e-300, 1e-45, 1e-10, 0.38, 1.0, 1e10}) {
    const std::vector<double> got64 = annealed_mean(logits, t).to_vector<double>();
    const std::vector<float> got32 = annealed_mean(logits.to(DType::Float32), t).to_vector<float>();
    for (int64_t r = 0; r < rows; ++r) {
      INFO("T = " << t << ", row " << r);
      const std::vector<double> y(x.begin() + r * 313, x.begin() + (r + 1) * 313);
      const auto [a, b] = reference_row(y, t);
      REQUIRE(std::isfinite(a));
      CHECK(got64[r * 2] == Approx(a).margin(1e-9));
      CHECK(got64[r * 2 + 1] == Approx(b).margin(1e-9));
      // float32: the same row rounded to float (row 4's 1e30s stay in range).
      std::vector<double> yf(y.size());
      for (size_t c = 0; c < y.size(); ++c) yf[c] = static_cast<float>(y[c]);
      const auto [af, bf] = reference_row(yf, t);
      CHECK(got32[r * 2] == Approx(af).margin(2e-3));
      CHECK(got32[r * 2 + 1] == Approx(bf).margin(2e-3));
    }
  }
  // Towards 0 the mode, and tied modes share the weight: the mean of their centres.
  for (double t : {4.9e-324, 1e-45}) {
    const std::vector<double> got = annealed_mean(logits, t).to_vector<double>();
    CHECK(got[2] == Approx((bins.a(40) + bins.a(250)) / 2).margin(1e-12));
    CHECK(got[3] == Approx((bins.b(40) + bins.b(250)) / 2).margin(1e-12));
    CHECK(got[4] == Approx((bins.a(3) + bins.a(33) + bins.a(300)) / 3).margin(1e-12));
    CHECK(got[6] == bins.a(100));
    CHECK(got[7] == bins.b(100));
    CHECK(got[10] == bins.a(77));
    CHECK(got[11] == bins.b(77));
  }
  // Towards infinity every finite entry weighs the same.
  double mean_a = 0;
  for (int64_t c = 0; c < 313; ++c) mean_a += bins.a(c) / 313.0;
  CHECK(annealed_mean(logits, 1e300).to_vector<double>()[0] == Approx(mean_a).margin(1e-9));
}

TEST_CASE("annealed mean of probabilities is exact for every T > 0", "[annealed]") {
  int64_t rows = 0;
  std::vector<double> x = sweep_rows(&rows);
  x.resize(5 * 313);  // row 4's 1e30s underflow a softmax to one-hot; keep rows 0-3
  rows = 5;
  for (int64_t c = 0; c < 313; ++c) x[4 * 313 + c] = c == 10 || c == 20 ? 0.0 : -1e9;
  const Tensor probs = softmax(from_vector(x, {rows, 313}), 1);  // row 4: two 0.5s, zeros
  const std::vector<double> p = probs.to_vector<double>();
  for (double t : {4.9e-324, 1e-300, 1e-45, 1e-10, 0.38, 1.0, 1e10}) {
    const std::vector<double> got64 = annealed_mean_from_probs(probs, t).to_vector<double>();
    const std::vector<float> got32 =
        annealed_mean_from_probs(probs.to(DType::Float32), t).to_vector<float>();
    for (int64_t r = 0; r < rows; ++r) {
      INFO("T = " << t << ", row " << r);
      std::vector<double> y(313), yf(313);
      for (int64_t c = 0; c < 313; ++c) {
        y[c] = std::log(p[r * 313 + c]);
        yf[c] = std::log(static_cast<double>(static_cast<float>(p[r * 313 + c])));
      }
      const auto [a, b] = reference_row(y, t);
      const auto [af, bf] = reference_row(yf, t);
      REQUIRE(std::isfinite(a));
      CHECK(got64[r * 2] == Approx(a).margin(1e-9));
      CHECK(got64[r * 2 + 1] == Approx(b).margin(1e-9));
      CHECK(got32[r * 2] == Approx(af).margin(2e-3));
      CHECK(got32[r * 2 + 1] == Approx(bf).margin(2e-3));
    }
  }
  const AbBins& bins = AbBins::standard();
  const std::vector<double> tiny = annealed_mean_from_probs(probs, 1e-300).to_vector<double>();
  CHECK(tiny[8] == Approx((bins.a(10) + bins.a(20)) / 2).margin(1e-12));  // tied halves
  CHECK(tiny[2] == Approx((bins.a(40) + bins.a(250)) / 2).margin(1e-12));
}

TEST_CASE("annealed mean at T = 1 is the expectation of the bin centres", "[annealed]") {
  Generator gen(5);
  const Tensor logits = randn({2, 313, 3, 4}, gen, kF64, 0.0, 2.0);
  const Tensor out = annealed_mean(logits, 1.0);
  REQUIRE(out.shape() == Shape{2, 2, 3, 4});
  REQUIRE(out.dtype() == DType::Float64);
  const std::vector<double> want = expectation(logits), got = out.to_vector<double>();
  for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-11));
  // Any temperature is T = 1 on logits / T.
  for (double t : {0.38, 0.1, 2.5}) {
    INFO("T = " << t);
    CHECK(max_abs_diff(annealed_mean(logits, t), annealed_mean(logits * (1.0 / t), 1.0)) < 1e-11);
  }
  // The default is Zhang's 0.38.
  CHECK(max_abs_diff(annealed_mean(logits), annealed_mean(logits, 0.38)) == 0.0);
  // (N, 313) works too, and float32.
  const Tensor flat = randn({4, 313}, gen, {}, 0.0, 1.0);
  const Tensor flat_out = annealed_mean(flat, 1.0);
  CHECK(flat_out.shape() == Shape{4, 2});
  CHECK(flat_out.dtype() == DType::Float32);
  const std::vector<double> fw = expectation(flat.to(DType::Float64).reshape({4, 313, 1}));
  const std::vector<float> fg = flat_out.to_vector<float>();
  for (size_t i = 0; i < fw.size(); ++i) CHECK(fg[i] == Approx(fw[i]).margin(1e-4));
}

TEST_CASE("annealed mean at T -> 0 gives the centre of the most likely bin", "[annealed]") {
  Generator gen(6);
  const int64_t n = 3, inner = 6;
  std::vector<double> x = randn({n, 313, inner}, gen, kF64, 0.0, 1.0).to_vector<double>();
  // Lift one bin per position 0.5 above every other logit.
  std::vector<int64_t> mode(n * inner);
  for (int64_t nn = 0; nn < n; ++nn)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t q = (nn * 97 + i * 41) % 313;
      double m = -1e9;
      for (int64_t c = 0; c < 313; ++c) m = std::max(m, x[(nn * 313 + c) * inner + i]);
      x[(nn * 313 + q) * inner + i] = m + 0.5;
      mode[nn * inner + i] = q;
    }
  const Tensor logits = from_vector(x, {n, 313, inner});
  const std::vector<double> got = annealed_mean(logits, 0.01).to_vector<double>();
  const AbBins& bins = AbBins::standard();
  for (int64_t nn = 0; nn < n; ++nn)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t q = mode[nn * inner + i];
      CHECK(std::abs(got[nn * 2 * inner + i] - bins.a(q)) < 1e-3);
      CHECK(std::abs(got[(nn * 2 + 1) * inner + i] - bins.b(q)) < 1e-3);
    }
  // Huge logits over a tiny T overflow nothing: the row max is subtracted first.
  const Tensor big = from_vector(x, {n, 313, inner}) * 1e3;
  for (double v : annealed_mean(big, 1e-3).to_vector<double>()) CHECK(std::isfinite(v));
}

TEST_CASE("annealed_mean_from_probs equals annealed_mean of the logits", "[annealed]") {
  Generator gen(7);
  const Tensor logits = randn({2, 313, 2, 3}, gen, kF64, 0.0, 3.0);
  const Tensor probs = softmax(logits, 1);
  for (double t : {1.0, 0.38, 0.05}) {
    INFO("T = " << t);
    CHECK(max_abs_diff(annealed_mean_from_probs(probs, t), annealed_mean(logits, t)) < 1e-10);
  }
  // A zero probability gets zero weight: one-hot probabilities give that bin's centre.
  std::vector<double> onehot(313, 0.0);
  onehot[100] = 1.0;
  const std::vector<double> c =
      annealed_mean_from_probs(from_vector(onehot, {1, 313}), 0.38).to_vector<double>();
  CHECK(c[0] == AbBins::standard().a(100));
  CHECK(c[1] == AbBins::standard().b(100));
}

TEST_CASE("annealed mean records no gradient and rejects bad input", "[annealed]") {
  const Tensor x = leaf64({1, 313, 2, 2}, 8);
  CHECK_FALSE(annealed_mean(x).requires_grad());
  CHECK_THROWS_WITH(annealed_mean(zeros({1, 312, 2, 2})),
                    Contains("annealed_mean: expected logits of shape (N, 313, ...), got "
                             "[1, 312, 2, 2]"));
  CHECK_THROWS_WITH(annealed_mean(zeros({313})), Contains("got [313]"));
  CHECK_THROWS_WITH(annealed_mean(zeros({1, 313}), 0.0),
                    Contains("annealed_mean: the temperature must be positive, got 0"));
  CHECK_THROWS_WITH(annealed_mean_from_probs(zeros({1, 313}), -1.0),
                    Contains("annealed_mean_from_probs: the temperature must be positive"));
  CHECK_THROWS_WITH(annealed_mean(zeros({1, 313}, TensorOptions{}.with_dtype(DType::Int64))),
                    Contains("expected float32 or float64 logits, got int64"));
  CHECK_THROWS_WITH(annealed_mean_from_probs(zeros({1, 312})),
                    Contains("expected probabilities of shape (N, 313, ...)"));
  CHECK(annealed_mean(zeros({0, 313, 4, 4})).shape() == Shape{0, 2, 4, 4});
}
