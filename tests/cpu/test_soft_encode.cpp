// Soft-encoding of ab targets: the sparse (indices, weights) and dense forms against a
// brute-force reference (all 313 distances sorted by (distance, index), Gaussian weights
// normalised), exact grid points and midpoints (ties), far-out-of-gamut points, float32 and
// float64, K and sigma as parameters, and the errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "framework/tint.h"
#include "kernels/soft_encode.h"

using namespace tint;
using namespace tint::color;
using Catch::Matchers::Contains;

namespace {

// (N, 2, H, W) from a list of (a, b) points, laid out as N = 1, H = 1, W = count... reshaped
// to (2, 2, H, W / 2) when possible so batch and plane indexing are both exercised.
Tensor ab_tensor(const std::vector<std::pair<double, double>>& points, DType dtype) {
  const int64_t count = static_cast<int64_t>(points.size());
  REQUIRE(count % 2 == 0);
  const int64_t n = 2, plane = count / 2, h = plane % 3 == 0 ? 3 : 1, w = plane / h;
  std::vector<double> v(static_cast<size_t>(2 * count));
  for (int64_t p = 0; p < count; ++p) {
    const int64_t nn = p / plane, at = p % plane;
    v[nn * 2 * plane + at] = points[p].first;
    v[nn * 2 * plane + plane + at] = points[p].second;
  }
  return from_vector(v, {n, 2, h, w}).to(dtype);
}

struct Reference {
  std::vector<int64_t> idx;
  std::vector<double> w;
};

// Brute force in the tensor's precision (the distances decide the order and the ties).
template <typename T>
Reference reference(T a, T b, int k, double sigma) {
  const AbBins& bins = AbBins::standard();
  std::vector<std::pair<T, int64_t>> d;
  for (int64_t q = 0; q < bins.size(); ++q) {
    const T da = a - T(bins.a(q)), db = b - T(bins.b(q));
    d.push_back({da * da + db * db, q});
  }
  std::sort(d.begin(), d.end());
  Reference r;
  double s = 0;
  for (int j = 0; j < k; ++j) {
    r.idx.push_back(d[j].second);
    r.w.push_back(std::exp(-(double(d[j].first) - double(d[0].first)) / (2 * sigma * sigma)));
    s += r.w.back();
  }
  for (double& x : r.w) x /= s;
  return r;
}

std::vector<std::pair<double, double>> test_points() {
  std::vector<std::pair<double, double>> p;
  for (int a = -120; a <= 120; a += 5)
    for (int b = -120; b <= 120; b += 15) p.push_back({a, b});  // centres and midpoints
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-125, 125);
  for (int i = 0; i < 600; ++i) p.push_back({u(rng), u(rng)});
  for (double far : {300.0, -500.0, 2000.0}) {
    p.push_back({far, 10.0});
    p.push_back({-20.0, far});
  }
  if (p.size() % 6) p.resize(p.size() - p.size() % 6);
  return p;
}

template <typename T>
void check_against_reference(const std::vector<std::pair<double, double>>& points, int k,
                             double sigma, double tol) {
  const DType dtype = dtype_of<T>;
  const Tensor ab = ab_tensor(points, dtype);
  const SoftEncoding e = soft_encode(ab, {k, sigma});
  const int64_t n = ab.size(0), plane = ab.size(2) * ab.size(3);
  REQUIRE(e.indices.shape() == Shape{n, k, ab.size(2), ab.size(3)});
  REQUIRE(e.weights.shape() == e.indices.shape());
  REQUIRE(e.indices.dtype() == DType::Int64);
  REQUIRE(e.weights.dtype() == dtype);
  const std::vector<int64_t> idx = e.indices.to_vector<int64_t>();
  const std::vector<double> w = e.weights.to_vector<double>();
  const std::vector<T> abv = ab.to_vector<T>();
  for (int64_t p = 0; p < n * plane; ++p) {
    const int64_t nn = p / plane, at = p % plane;
    const T a = abv[nn * 2 * plane + at], b = abv[nn * 2 * plane + plane + at];
    const Reference r = reference<T>(a, b, k, sigma);
    double s = 0;
    for (int j = 0; j < k; ++j) {
      const int64_t o = (nn * k + j) * plane + at;
      INFO("point (" << a << ", " << b << ") neighbour " << j << " k " << k);
      REQUIRE(idx[o] == r.idx[j]);
      REQUIRE(std::abs(w[o] - r.w[j]) <= tol);
      s += w[o];
    }
    REQUIRE(std::abs(s - 1.0) <= 10 * tol);
  }
}

}  // namespace

TEST_CASE("soft_encode equals the brute-force K nearest with Gaussian weights", "[softenc]") {
  const auto points = test_points();
  for (int k : {1, 2, 5, 10}) {
    for (double sigma : {5.0, 2.0}) {
      check_against_reference<float>(points, k, sigma, 1e-6);
      check_against_reference<double>(points, k, sigma, 1e-14);
    }
  }
  check_against_reference<double>(points, 32, 5.0, 1e-14);
}

TEST_CASE("soft_encode weights follow the Gaussian of the distance", "[softenc]") {
  // At a bin centre with K = 5: the centre and its four neighbours at distance 10, so
  // z_centre = 1 / (1 + 4 exp(-100 / 50)).
  const Tensor ab = from_vector<double>({0, 0}, {1, 2, 1, 1});
  const SoftEncoding e = soft_encode(ab);
  const std::vector<double> w = e.weights.to_vector<double>();
  const double c = 1.0 / (1.0 + 4.0 * std::exp(-2.0));
  CHECK(w[0] == Approx(c).epsilon(1e-14));
  for (int j = 1; j < 5; ++j) CHECK(w[j] == Approx(c * std::exp(-2.0)).epsilon(1e-14));
  CHECK(e.indices.to_vector<int64_t>()[0] == AbBins::standard().nearest(0, 0));
  // Midway between two bins, both get the same weight; the lower index comes first.
  const SoftEncoding mid = soft_encode(from_vector<double>({0, 5}, {1, 2, 1, 1}), {2, 5.0});
  const std::vector<int64_t> mi = mid.indices.to_vector<int64_t>();
  CHECK(mi[0] < mi[1]);
  CHECK(mid.weights.to_vector<double>()[0] == 0.5);
  // Far out of gamut every exp(-d^2 / 2 sigma^2) underflows, but the weights stay finite.
  const SoftEncoding far = soft_encode(from_vector<float>({900, -700}, {1, 2, 1, 1}), {5, 5.0});
  double s = 0;
  for (float v : far.weights.to_vector<float>()) {
    CHECK(std::isfinite(v));
    s += v;
  }
  CHECK(s == Approx(1.0));
}

TEST_CASE("soft_encode_dense scatters the sparse encoding; nearest_bins is its first index",
          "[softenc]") {
  Generator gen(3);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor ab = rand({3, 2, 5, 4}, gen, TensorOptions{}.with_dtype(dtype), -110, 110);
    for (int k : {1, 5, 10}) {
      const SoftEncoding e = soft_encode(ab, {k, 5.0});
      const Tensor dense = soft_encode_dense(ab, {k, 5.0});
      REQUIRE(dense.shape() == Shape{3, 313, 5, 4});
      REQUIRE(dense.dtype() == dtype);
      std::vector<double> expect(static_cast<size_t>(dense.numel()), 0.0);
      const std::vector<int64_t> idx = e.indices.to_vector<int64_t>();
      const std::vector<double> w = e.weights.to_vector<double>();
      const int64_t plane = 20;
      for (int64_t nn = 0; nn < 3; ++nn)
        for (int64_t j = 0; j < k; ++j)
          for (int64_t at = 0; at < plane; ++at) {
            const int64_t o = (nn * k + j) * plane + at;
            expect[(nn * 313 + idx[o]) * plane + at] = w[o];
          }
      CHECK(dense.to_vector<double>() == expect);
      const Tensor sums = sum(dense, 1);
      for (double s : sums.to_vector<double>()) CHECK(s == Approx(1.0).epsilon(1e-6));
    }
    const Tensor nearest = nearest_bins(ab);
    REQUIRE(nearest.shape() == Shape{3, 5, 4});
    REQUIRE(nearest.dtype() == DType::Int64);
    const std::vector<int64_t> first = soft_encode(ab).indices.slice(1, 0, 1).contiguous()
                                           .to_vector<int64_t>();
    CHECK(nearest.to_vector<int64_t>() == first);
    const std::vector<double> abv = ab.to_vector<double>();
    const std::vector<int64_t> nv = nearest.to_vector<int64_t>();
    for (int64_t p = 0; p < 60; ++p) {
      const int64_t nn = p / 20, at = p % 20;
      CHECK(nv[p] == AbBins::standard().nearest(float(abv[nn * 40 + at]),
                                                float(abv[nn * 40 + 20 + at])));
    }
  }
  // A non-contiguous input is read correctly.
  const Tensor base = rand({2, 6, 4, 2}, gen, {}, -100, 100);
  const Tensor view = base.permute({0, 3, 2, 1}).slice(3, 0, 6, 2).permute({0, 1, 3, 2});
  CHECK(view.shape() == Shape{2, 2, 3, 4});
  CHECK(soft_encode_dense(view).to_vector<float>() ==
        soft_encode_dense(view.contiguous()).to_vector<float>());
}

TEST_CASE("soft_encode rejects bad input with clear errors", "[softenc]") {
  const Tensor ab3 = zeros({1, 3, 2, 2});
  CHECK_THROWS_WITH(soft_encode(ab3),
                    Contains("soft_encode: expected ab of shape (N, 2, H, W), got [1, 3, 2, 2]"));
  CHECK_THROWS_WITH(soft_encode_dense(zeros({2, 2, 2})), Contains("got [2, 2, 2]"));
  CHECK_THROWS_WITH(nearest_bins(zeros({1, 2, 2, 2}, TensorOptions{}.with_dtype(DType::Int64))),
                    Contains("nearest_bins: expected float32 or float64 ab, got int64"));
  CHECK_THROWS_WITH(soft_encode(zeros({1, 2, 1, 1}), {0, 5.0}),
                    Contains("k must be in [1, 32], got 0"));
  CHECK_THROWS_WITH(soft_encode(zeros({1, 2, 1, 1}), {33, 5.0}), Contains("got 33"));
  CHECK_THROWS_WITH(soft_encode(zeros({1, 2, 1, 1}), {5, 0.0}),
                    Contains("sigma must be positive, got 0"));
  CHECK_THROWS_WITH(soft_encode(Tensor()), Contains("undefined"));
  // Empty batches are fine.
  CHECK(soft_encode(zeros({0, 2, 3, 3})).indices.shape() == Shape{0, 5, 3, 3});
}
