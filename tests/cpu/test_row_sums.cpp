// The row sums behind the loss and annealed-mean kernels (kernels/math/color_loss.h): a row's
// classes summed in parts and merged (as the CUDA kernels split rows between threads) equal
// the one-pass sums of the whole row, with -inf, NaN and +inf entries handled alike, and the
// one-pass log-sum-exp equals the textbook two-pass one.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/math/color_loss.h"

using namespace tint::color::math;

namespace {

template <typename T>
RowSums<2> parts_merged(const std::vector<T>& x, const std::vector<float>& w,
                        const ExpScale& scale, const std::vector<int64_t>& cuts) {
  auto weight = [&](int64_t c, int q) { return q == 0 ? w[c] : -w[c]; };
  RowSums<2> total;
  for (size_t p = 0; p + 1 < cuts.size(); ++p) {
    const RowSums<2> part = row_exp_sums<T, 2>(x.data(), cuts[p], cuts[p + 1], 1, scale, weight);
    total = p == 0 ? part : merge_row_sums(total, part, scale);
  }
  return total;
}

template <typename T>
RowSums<2> whole(const std::vector<T>& x, const std::vector<float>& w, const ExpScale& scale) {
  return parts_merged(x, w, scale, {0, static_cast<int64_t>(x.size())});
}

double two_pass_lse(const std::vector<double>& x) {
  double m = -INFINITY;
  for (double v : x) m = std::max(m, v);
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  return m + std::log(s);
}

}  // namespace

TEST_CASE("row sums merged from parts equal the whole row's", "[rowsums]") {
  std::mt19937 rng(5);
  std::normal_distribution<double> normal(0.0, 3.0);
  std::vector<double> x(313);
  std::vector<float> w(313);
  for (size_t c = 0; c < x.size(); ++c) {
    x[c] = normal(rng);
    w[c] = static_cast<float>(normal(rng) * 30);
  }
  x[200] += 12;  // the maximum in a later part
  for (double t : {1.0, 0.38, 0.01}) {
    INFO("T " << t);
    const ExpScale scale = ExpScale::of_temperature(t);
    const RowSums<2> one = whole(x, w, scale);
    for (const std::vector<int64_t>& cuts :
         {std::vector<int64_t>{0, 80, 160, 240, 313}, {0, 8, 313}, {0, 313, 313}, {0, 0, 313}}) {
      const RowSums<2> merged = parts_merged(x, w, scale, cuts);
      CHECK(merged.m == one.m);
      CHECK(merged.s == Approx(one.s).epsilon(1e-12));
      CHECK(merged.f[0] == Approx(one.f[0]).epsilon(1e-12));
      CHECK(merged.f[1] == Approx(one.f[1]).epsilon(1e-12));
    }
  }
  CHECK(row_logsumexp(x.data(), 313, 1) == Approx(two_pass_lse(x)).epsilon(1e-13));
  // float32 rows: float sums per chunk, double totals.
  std::vector<float> xf(x.begin(), x.end());
  CHECK(row_logsumexp(xf.data(), 313, 1) == Approx(two_pass_lse(x)).epsilon(1e-6));
}

TEST_CASE("row sums treat -inf as absent and let NaN and +inf through", "[rowsums]") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<float> w(16, 1.0f);
  std::vector<double> x(16, -inf);
  x[3] = 0.5;
  x[12] = 1.5;
  const std::vector<int64_t> cuts = {0, 8, 16};
  CHECK(parts_merged(x, w, ExpScale{}, cuts).s == Approx(std::exp(-1.0) + 1.0).epsilon(1e-14));
  CHECK(row_logsumexp(x.data(), 16, 1) == Approx(std::log(std::exp(0.5) + std::exp(1.5))));
  std::vector<double> none(16, -inf);
  CHECK(row_logsumexp(none.data(), 16, 1) == -inf);  // counted as a bad row
  CHECK(parts_merged(none, w, ExpScale{}, cuts).s == 0.0);
  for (double bad : {std::nan(""), inf}) {
    std::vector<double> y = x;
    y[9] = bad;  // in the second part
    CHECK(std::isnan(parts_merged(y, w, ExpScale{}, cuts).s));
    CHECK(std::isnan(row_logsumexp(y.data(), 16, 1)));
  }
}

TEST_CASE("row sums stay exact for temperatures whose inverse overflows", "[rowsums]") {
  // 1 / T overflows float below T = 2.9e-39 and double below 5.6e-309; the row's maximum
  // must still weigh exp(0) = 1 (not 0 * inf = NaN) in every part and merge.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> x(40);
  for (size_t c = 0; c < x.size(); ++c) x[c] = std::sin(static_cast<double>(c));
  x[5] = x[33] = 2.0;  // tied maxima in two parts
  x[20] = -inf;
  const std::vector<float> w(x.size(), 1.0f);
  const std::vector<float> xf(x.begin(), x.end());
  for (double t : {4.9e-324, 1e-300, 1e-45, 1e-40}) {
    INFO("T " << t);
    const ExpScale scale = ExpScale::of_temperature(t);
    for (const std::vector<int64_t>& cuts :
         {std::vector<int64_t>{0, 40}, {0, 8, 16, 24, 32, 40}, {0, 24, 40}, {0, 0, 40}}) {
      const RowSums<2> d = parts_merged(x, w, scale, cuts);
      CHECK(d.m == 2.0);
      CHECK(d.s == 2.0);  // the two maxima, everything else exp(-huge) = 0
      CHECK(d.f[0] == 2.0);
      const RowSums<2> f = parts_merged(xf, w, scale, cuts);
      CHECK(f.s == 2.0);
      CHECK(f.f[1] == -2.0);
    }
  }
  // Entries a few T below the maximum keep their true weight, even for denormal T.
  const double t = 1e-320;
  const std::vector<double> near = {0.0, -t, -2 * t, -inf};
  const RowSums<2> r = whole(near, std::vector<float>(4, 1.0f), ExpScale::of_temperature(t));
  CHECK(r.s == Approx(1.0 + std::exp(-1.0) + std::exp(-2.0)).epsilon(1e-12));
}
