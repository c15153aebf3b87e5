// The class-rebalancing prior (kernels/prior.h): weights against Zhang's eq. 4 written out in
// float64, sum p w = 1, the uniform and lambda = 1 cases, histograms of known pixels against a
// brute-force nearest bin (layouts, dtypes, strided Lab slices, non-finite pixels), the
// Gaussian smoothing (mass, symmetry, values), prior_from_counts, and the prior file: round
// trip and one clear error per kind of wrong file.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "temp_dir.h"
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "framework/tint.h"
#include "kernels/prior.h"

using namespace tint;
using namespace tint::color;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using tint::testing::TempDir;


// A random distribution over the bins: every bin > 0, a few dominant ones, sum 1.
std::vector<double> random_distribution(uint64_t seed) {
  Generator gen(seed);
  std::vector<double> p =
      rand({kNumBins}, gen, TensorOptions{}.with_dtype(DType::Float64)).to_vector<double>();
  double s = 0;
  for (size_t q = 0; q < p.size(); ++q) {
    p[q] = std::pow(p[q], 8) + 1e-9 + (q % 50 == 0 ? 0.3 : 0.0);
    s += p[q];
  }
  for (double& v : p) v /= s;
  return p;
}

Tensor f64(const std::vector<double>& v) {
  return from_vector(v, {static_cast<int64_t>(v.size())});
}

// Brute force: the bin of smallest squared distance (float64), ties to the lower index.
int64_t brute_nearest(double a, double b) {
  const AbBins& bins = AbBins::standard();
  int64_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (int64_t q = 0; q < bins.size(); ++q) {
    const double d = (a - bins.a(q)) * (a - bins.a(q)) + (b - bins.b(q)) * (b - bins.b(q));
    if (d < best_d) best_d = d, best = q;
  }
  return best;
}

double rel_err(double x, double y) {
  return std::fabs(x - y) / std::max(std::fabs(y), 1e-300);
}

}  // namespace

TEST_CASE("rebalancing weights are Zhang's eq. 4 in float64", "[prior]") {
  for (uint64_t seed : {1, 2, 3}) {
    const std::vector<double> p = random_distribution(seed);
    for (double lambda : {0.5, 0.0, 0.2, 0.9}) {
      const std::vector<double> w = rebalancing_weights(f64(p), lambda).to_vector<double>();
      REQUIRE(w.size() == size_t(kNumBins));
      std::vector<double> expected(kNumBins);
      double norm = 0;
      for (int64_t q = 0; q < kNumBins; ++q) {
        expected[q] = 1.0 / ((1.0 - lambda) * p[q] + lambda / 313.0);
        norm += p[q] * expected[q];
      }
      double sum_pw = 0, worst = 0;
      for (int64_t q = 0; q < kNumBins; ++q) {
        worst = std::max(worst, rel_err(w[q], expected[q] / norm));
        sum_pw += p[q] * w[q];
      }
      INFO("seed " << seed << " lambda " << lambda);
      CHECK(worst <= 1e-15);
      CHECK(std::fabs(sum_pw - 1.0) <= 1e-13);
    }
  }
}

TEST_CASE("a uniform prior, or lambda = 1, gives every bin weight 1", "[prior]") {
  const Tensor uniform = full({kNumBins}, 1.0 / 313, TensorOptions{}.with_dtype(DType::Float64));
  for (double lambda : {0.0, 0.5, 1.0}) {
    for (double w : rebalancing_weights(uniform, lambda).to_vector<double>())
      REQUIRE(std::fabs(w - 1.0) <= 1e-13);
  }
  for (double w : rebalancing_weights(f64(random_distribution(4)), 1.0).to_vector<double>())
    REQUIRE(std::fabs(w - 1.0) <= 1e-13);
}

TEST_CASE("rare bins get larger weights, bounded by lambda", "[prior]") {
  const std::vector<double> p = random_distribution(5);
  const std::vector<double> w = rebalancing_weights(f64(p), 0.5).to_vector<double>();
  for (int64_t q = 1; q < kNumBins; ++q) {
    if (p[q] < p[0]) CHECK(w[q] > w[0]);
    if (p[q] > p[0]) CHECK(w[q] < w[0]);
  }
  // The largest ratio between weights is bounded by mixing with uniform: at most
  // ((1 - l) max p + l / Q) / (l / Q).
  const double pmax = *std::max_element(p.begin(), p.end());
  const double bound = (0.5 * pmax + 0.5 / 313) / (0.5 / 313);
  CHECK(*std::max_element(w.begin(), w.end()) / *std::min_element(w.begin(), w.end()) <=
        bound * (1 + 1e-12));
}

TEST_CASE("rebalancing weights reject bad arguments", "[prior]") {
  const Tensor p = f64(random_distribution(6));
  CHECK_THROWS_WITH(rebalancing_weights(p, -0.1), Contains("lambda should be in [0, 1], got -0.1"));
  CHECK_THROWS_WITH(rebalancing_weights(p, 1.5), Contains("lambda should be in [0, 1]"));
  CHECK_THROWS_WITH(rebalancing_weights(p * 2.0, 0.5), Contains("should sum to 1, got a sum of 2"));
  CHECK_THROWS_WITH(rebalancing_weights(p.slice(0, 0, 312), 0.5),
                    Contains("expected shape [313], got float64[312]"));
  std::vector<double> with_zero = random_distribution(7);
  with_zero[0] += with_zero[3];
  with_zero[3] = 0;
  CHECK_THROWS_WITH(rebalancing_weights(f64(with_zero), 0.0), Contains("bin 3 has probability 0"));
  CHECK_NOTHROW(rebalancing_weights(f64(with_zero), 0.5));
  std::vector<double> negative = random_distribution(8);
  negative[7] = -negative[7];
  CHECK_THROWS_WITH(rebalancing_weights(f64(negative), 0.5), Contains("bin 7 holds -"));
}

TEST_CASE("smoothing keeps the mass, is symmetric and uses exp(-d^2 / 2 sigma^2)", "[prior]") {
  const AbBins& bins = AbBins::standard();
  SECTION("mass") {
    std::vector<double> counts = random_distribution(9);
    for (double& c : counts) c *= 12345;  // unnormalised input
    for (double sigma : {0.0, 1.0, 5.0, 20.0}) {
      const std::vector<double> s = smooth_ab_distribution(f64(counts), sigma).to_vector<double>();
      double sum = 0;
      for (double v : s) {
        REQUIRE(v >= 0);
        sum += v;
      }
      CHECK(std::fabs(sum - 1.0) <= 1e-12);
    }
  }
  SECTION("sigma 0 only normalises") {
    const std::vector<double> p = random_distribution(10);
    const std::vector<double> s = smooth_ab_distribution(f64(p), 0.0).to_vector<double>();
    for (int64_t q = 0; q < kNumBins; ++q) REQUIRE(rel_err(s[q], p[q]) <= 1e-14);
  }
  SECTION("a single bin spreads by the Gaussian of the distance, symmetrically") {
    // With K(q, r) = exp(-|c_q - c_r|^2 / (2 sigma^2)) and K(q, q) = 1, smoothing a delta at
    // q gives K(q, r) / Z_q at r, so out_q[r] / out_q[q] = K(q, r) = out_r[q] / out_r[r].
    const double sigma = 5.0;
    for (int64_t q : {0, 120, 200, 312}) {
      std::vector<double> dq(kNumBins, 0.0);
      dq[q] = 1;
      const std::vector<double> sq = smooth_ab_distribution(f64(dq), sigma).to_vector<double>();
      for (int64_t r : {int64_t(1), int64_t(119), int64_t(121), int64_t(140), int64_t(311)}) {
        std::vector<double> dr(kNumBins, 0.0);
        dr[r] = 1;
        const std::vector<double> sr = smooth_ab_distribution(f64(dr), sigma).to_vector<double>();
        const double da = bins.a(q) - bins.a(r), db = bins.b(q) - bins.b(r);
        const double k = std::exp(-(da * da + db * db) / (2 * sigma * sigma));
        INFO("q " << q << " r " << r);
        if (q == r) continue;
        CHECK(sq[r] / sq[q] == Approx(k).epsilon(1e-12).margin(1e-300));
        CHECK(sr[q] / sr[r] == Approx(k).epsilon(1e-12).margin(1e-300));
      }
    }
  }
  SECTION("neighbours 10 apart get exp(-2) of the centre") {
    // Bins 120 = (0, 0) and 121 = (0, 10) (the canonical order).
    REQUIRE(bins.a(120) == 0);
    REQUIRE(bins.b(120) == 0);
    REQUIRE(bins.b(121) == 10);
    std::vector<double> d(kNumBins, 0.0);
    d[120] = 1;
    const std::vector<double> s = smooth_ab_distribution(f64(d), 5.0).to_vector<double>();
    CHECK(s[121] / s[120] == Approx(std::exp(-2.0)).epsilon(1e-14));
  }
  SECTION("errors") {
    const Tensor p = f64(random_distribution(11));
    CHECK_THROWS_WITH(smooth_ab_distribution(p, -1),
                      Contains("sigma should be a finite number >= 0"));
    CHECK_THROWS_WITH(smooth_ab_distribution(zeros({kNumBins}), 5),
                      Contains("every value is zero"));
  }
}

TEST_CASE("a histogram of known pixels lands in the expected bins", "[prior]") {
  const AbBins& bins = AbBins::standard();
  // Pixels at bin centres plus offsets below half the grid step, and a few outside the gamut.
  std::vector<std::pair<double, double>> pixels;
  for (int64_t q = 0; q < kNumBins; q += 7) pixels.push_back({bins.a(q) + 3.9, bins.b(q) - 2.5});
  pixels.push_back({0.0, 0.0});
  pixels.push_back({0.0, 0.0});
  pixels.push_back({300.0, -300.0});
  pixels.push_back({-127.0, 127.0});
  pixels.push_back({12.4, -47.6});
  const int64_t count = static_cast<int64_t>(pixels.size());
  std::vector<double> expected(kNumBins, 0.0);
  for (const auto& [a, b] : pixels) expected[brute_nearest(a, b)] += 1;
  CHECK(expected[120] == 2);  // (0, 0) twice
  // Laid out as (1, 2, 1, count): a plane then b plane.
  std::vector<double> ab(2 * count);
  for (int64_t i = 0; i < count; ++i) ab[i] = pixels[i].first, ab[count + i] = pixels[i].second;

  for (DType dtype : {DType::Float32, DType::Float64}) {
    INFO(dtype_name(dtype));
    Tensor counts = empty_ab_histogram();
    const Tensor x = f64(ab).reshape({1, 2, 1, count}).to(dtype);
    accumulate_ab_histogram(counts, x);
    CHECK(counts.to_vector<double>() == expected);
    // Accumulates: a second call adds the same counts; (2, H, W) is one image.
    accumulate_ab_histogram(counts, x.reshape({2, 1, count}));
    std::vector<double> twice = expected;
    for (double& v : twice) v *= 2;
    CHECK(counts.to_vector<double>() == twice);
  }
}

TEST_CASE("histograms read batches, Lab slices in place, and skip non-finite pixels", "[prior]") {
  Generator gen(12);
  const Tensor lab = rand({3, 3, 7, 9}, gen, {}, -110, 110);
  const Tensor ab_view = lab.slice(1, 1, 3);  // strided: channel stride 63, batch stride 189
  REQUIRE_FALSE(ab_view.is_contiguous());
  Tensor from_view = empty_ab_histogram(), from_copy = empty_ab_histogram();
  accumulate_ab_histogram(from_view, ab_view);
  accumulate_ab_histogram(from_copy, ab_view.contiguous());
  CHECK(from_view.to_vector<double>() == from_copy.to_vector<double>());
  CHECK(sum(from_view).item() == 3 * 7 * 9);
  // A transposed (H, W) view is copied first and still counts every pixel once.
  Tensor from_t = empty_ab_histogram();
  accumulate_ab_histogram(from_t, ab_view.transpose(2, 3));
  CHECK(from_t.to_vector<double>() == from_copy.to_vector<double>());
  // The brute force agrees pixel by pixel.
  const std::vector<float> v = ab_view.contiguous().to_vector<float>();
  std::vector<double> expected(kNumBins, 0.0);
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t p = 0; p < 63; ++p)
      expected[brute_nearest(v[n * 126 + p], v[n * 126 + 63 + p])] += 1;
  CHECK(from_copy.to_vector<double>() == expected);

  const double nan = std::numeric_limits<double>::quiet_NaN(),
               inf = std::numeric_limits<double>::infinity();
  Tensor counts = empty_ab_histogram();
  accumulate_ab_histogram(
      counts, from_vector(std::vector<double>{nan, 5, inf, 1, 1, 1, 2, -inf}, {2, 1, 4}));
  CHECK(sum(counts).item() == 1);  // only (5, 1) is finite in both channels
  CHECK(counts.to_vector<double>()[brute_nearest(5, 1)] == 1);
  // Empty inputs add nothing.
  accumulate_ab_histogram(counts, zeros({0, 2, 4, 4}));
  CHECK(sum(counts).item() == 1);
}

TEST_CASE("accumulate_ab_histogram rejects bad arguments", "[prior]") {
  Tensor counts = empty_ab_histogram();
  CHECK_THROWS_WITH(accumulate_ab_histogram(counts, zeros({1, 3, 4, 4})),
                    Contains("ab should be float32 or float64 of shape (N, 2, H, W) or (2, H, W), "
                             "got float32[1, 3, 4, 4]"));
  CHECK_THROWS_WITH(
      accumulate_ab_histogram(counts, zeros({2, 4}, TensorOptions{}.with_dtype(DType::Int64))),
      Contains("got int64[2, 4]"));
  Tensor wrong = zeros({kNumBins});
  CHECK_THROWS_WITH(accumulate_ab_histogram(wrong, zeros({1, 2, 4, 4})),
                    Contains("counts should be a contiguous float64[313] tensor"));
  Tensor undefined;
  CHECK_THROWS_WITH(accumulate_ab_histogram(undefined, zeros({1, 2, 4, 4})),
                    Contains("got an undefined tensor"));
}

TEST_CASE("prior_from_counts smooths, weighs and counts", "[prior]") {
  std::vector<double> c = random_distribution(13);
  for (double& v : c) v = std::round(v * 1e6);
  double total = 0;
  for (double v : c) total += v;
  const ColorPrior prior = prior_from_counts(f64(c), 0.5, 5.0);
  CHECK(prior.counts.to_vector<double>() == c);
  CHECK(prior.pixels == static_cast<int64_t>(total));
  CHECK(prior.lambda == 0.5);
  CHECK(prior.sigma == 5.0);
  CHECK(prior.probabilities.dtype() == DType::Float64);
  CHECK(prior.weights.dtype() == DType::Float32);
  CHECK(prior.probabilities.to_vector<double>() ==
        smooth_ab_distribution(f64(c), 5.0).to_vector<double>());
  CHECK(prior.weights.to_vector<float>() ==
        rebalancing_weights(prior.probabilities, 0.5).to(DType::Float32).to_vector<float>());
  // sum p w = 1 holds for the float32 weights to float32 precision.
  const std::vector<double> p = prior.probabilities.to_vector<double>();
  const std::vector<float> w = prior.weights.to_vector<float>();
  double sum_pw = 0;
  for (int64_t q = 0; q < kNumBins; ++q) sum_pw += p[q] * w[q];
  CHECK(std::fabs(sum_pw - 1.0) <= 1e-6);
  // Integer counts are accepted too.
  CHECK(prior_from_counts(f64(c).to(DType::Int64)).pixels == prior.pixels);

  CHECK_THROWS_WITH(
      prior_from_counts(zeros({kNumBins}, TensorOptions{}.with_dtype(DType::Float64))),
      Contains("prior_from_counts: counts: every value is zero"));
  c[5] = -1;
  CHECK_THROWS_WITH(prior_from_counts(f64(c)), Contains("bin 5 holds -1"));
  c[5] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(prior_from_counts(f64(c)), Contains("must be finite"));
  CHECK_THROWS_WITH(prior_from_counts(zeros({2, kNumBins})), Contains("expected shape [313]"));
}

TEST_CASE("a prior file round trips and wrong files are refused clearly", "[prior]") {
  TempDir dir;
  std::vector<double> c = random_distribution(14);
  for (double& v : c) v = std::round(v * 1e5);
  ColorPrior prior = prior_from_counts(f64(c), 0.25, 3.5);
  prior.images = 42;
  const std::string path = dir.file("prior.safetensors");
  save_prior(path, prior);

  const ColorPrior back = load_prior(path);
  CHECK(back.counts.to_vector<double>() == prior.counts.to_vector<double>());
  CHECK(back.probabilities.to_vector<double>() == prior.probabilities.to_vector<double>());
  CHECK(back.weights.to_vector<float>() == prior.weights.to_vector<float>());
  CHECK(back.lambda == 0.25);
  CHECK(back.sigma == 3.5);
  CHECK(back.pixels == prior.pixels);
  CHECK(back.images == 42);
  const SafetensorsFile raw = load_safetensors(path);
  CHECK(raw.metadata.at("tint.format") == "tint.color_prior");
  CHECK(raw.metadata.at("bins") == "ab_bins_313.txt");

  SECTION("missing or truncated files") {
    CHECK_THROWS_WITH(load_prior(dir.file("nope.safetensors")),
                      Contains("nope.safetensors does not exist"));
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir.file("cut.safetensors"), std::ios::binary)
        << bytes.substr(0, bytes.size() - 100);
    CHECK_THROWS_WITH(load_prior(dir.file("cut.safetensors")), Contains("cut.safetensors"));
    std::ofstream(dir.file("text.safetensors")) << "not a prior at all, just text";
    CHECK_THROWS_WITH(load_prior(dir.file("text.safetensors")), Contains("text.safetensors"));
  }
  SECTION("other safetensors files") {
    save_safetensors(dir.file("weights.safetensors"), {{"w", zeros({3})}});
    CHECK_THROWS_WITH(
        load_prior(dir.file("weights.safetensors")),
        Contains("not a colour prior (its metadata has no tint.format = tint.color_prior)"));
    save_safetensors(dir.file("ckpt.safetensors"), {{"w", zeros({3})}},
                     {{"tint.format", "tint.checkpoint"}});
    CHECK_THROWS_WITH(load_prior(dir.file("ckpt.safetensors")),
                      Contains("it says tint.checkpoint"));
  }
  SECTION("damaged priors") {
    SafetensorsFile f = load_safetensors(path);
    const auto rewrite_and_load = [&](const SafetensorsFile& g) {
      save_safetensors(dir.file("bad.safetensors"), g.tensors, g.metadata);
      return load_prior(dir.file("bad.safetensors"));
    };
    SafetensorsFile g = f;
    g.tensors.erase("weights");
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("has no tensor 'weights'"));
    g = f;
    g.tensors["weights"] = zeros({312});
    CHECK_THROWS_WITH(rewrite_and_load(g),
                      Contains("tensor 'weights' should be float32[313], got float32[312]"));
    g = f;
    g.tensors["counts"] = f.tensors["counts"].to(DType::Float32);
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("tensor 'counts' should be float64[313]"));
    g = f;
    g.metadata.erase("sigma");
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("metadata lacks 'sigma'"));
    g = f;
    g.metadata["lambda"] = "half";
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("'lambda' = 'half' is not a valid number"));
    g = f;
    g.metadata["bins_fnv1a"] = "0123456789abcdef";
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("made with other ab bins"));
    g = f;
    g.metadata["tint.format_version"] = "7";
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("format version 7 is not supported"));
    g = f;
    g.metadata["pixels"] = "5";
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("metadata says 5 pixels"));
    g = f;
    g.tensors["weights"] = zeros({kNumBins});
    CHECK_THROWS_WITH(rewrite_and_load(g),
                      Contains("tensor 'weights' holds 0, expected finite values > 0"));
    g = f;
    g.tensors["probabilities"] = f.tensors["probabilities"] * 2.0;
    CHECK_THROWS_WITH(rewrite_and_load(g), Contains("probabilities sum to 2"));
  }
  SECTION("writing") {
    CHECK_THROWS_WITH(save_prior(dir.file("no/such/folder/p.safetensors"), prior),
                      Contains("cannot write"));
    CHECK_THROWS_WITH(save_prior(dir.file("x.safetensors"), ColorPrior{}),
                      Contains("the prior is incomplete"));
  }
}
