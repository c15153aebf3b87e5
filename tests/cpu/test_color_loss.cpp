// The colorization losses. rebalanced_cross_entropy: equal (values and gradients) to a dense
// reference built from tint's own ops (nearest upsampling or subsampling, log_softmax, the
// dense soft target, per-pixel class weights and grey mask); float64 finite-difference
// gradient checks over weighted/unweighted, both target resolutions, grey mask on/off and
// every reduction; values derived by hand; and the errors. l2_color_loss: values and
// gradient checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "framework/tint.h"
#include "gradcheck.h"
#include "kernels/color_loss.h"
#include "kernels/soft_encode.h"

using namespace tint;
using namespace tint::color;
using namespace tint::testing;
using Catch::Matchers::Contains;
using Xs = std::vector<Tensor>;

namespace {

const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

const LossReduction kReductions[] = {LossReduction::None, LossReduction::Sum,
                                     LossReduction::Mean, LossReduction::PerImageSum};
const TargetResolution kResolutions[] = {TargetResolution::Full, TargetResolution::Subsampled};

const char* name(LossReduction r) {
  switch (r) {
    case LossReduction::None: return "none";
    case LossReduction::Sum: return "sum";
    case LossReduction::Mean: return "mean";
    default: return "per-image sum";
  }
}

// Ground-truth ab (N, 2, H, W): image 0 is grey (every |a|, |b| <= 4), the others colourful
// and partly out of gamut.
Tensor make_ab(int64_t n, int64_t h, int64_t w, uint64_t seed, DType dtype = DType::Float64) {
  Generator gen(seed);
  Tensor ab = rand({n, 2, h, w}, gen, kF64, -115, 115);
  std::vector<double> v = ab.to_vector<double>();
  for (int64_t i = 0; i < 2 * h * w; ++i) v[i] = std::fmod(v[i], 4.0);
  return from_vector(v, {n, 2, h, w}).to(dtype);
}

Tensor make_weights(uint64_t seed, DType dtype = DType::Float64) {
  Generator gen(seed);
  return rand({313}, gen, TensorOptions{}.with_dtype(dtype), 0.2, 3.0);
}

// The loss through tint's own ops, with the dense target materialised.
Tensor dense_reference(const Tensor& logits, const Tensor& ab, const Tensor& weights,
                       const ColorLossOptions& o) {
  const int64_t n = logits.size(0), h = logits.size(2), w = logits.size(3);
  const int64_t big_h = ab.size(2), big_w = ab.size(3);
  Tensor x = logits, target = ab;
  if (o.target_resolution == TargetResolution::Full)
    x = upsample_nearest2d(logits, UpsampleSize::size(big_h, big_w));
  else
    target = ab.slice(2, 0, big_h, big_h / h).slice(3, 0, big_w, big_w / w).contiguous();
  const Tensor z = soft_encode_dense(target, {o.k, o.sigma});
  const Tensor per_pixel = sum(mul(z, log_softmax(x, 1)), 1) * -1.0;  // (N, Hl, Wl)
  // v = w[nearest bin] and the grey mask, per pixel, computed on the host.
  const std::vector<int64_t> nearest = nearest_bins(target).to_vector<int64_t>();
  const std::vector<double> wv =
      weights.defined() ? weights.to_vector<double>() : std::vector<double>(313, 1.0);
  const std::vector<double> abv = ab.to_vector<double>();
  const int64_t per_image = static_cast<int64_t>(nearest.size()) / n;
  const int64_t ab_per_image = 2 * big_h * big_w;
  std::vector<double> factor(nearest.size());
  for (size_t p = 0; p < nearest.size(); ++p) {
    const int64_t img = static_cast<int64_t>(p) / per_image;
    bool colourful = !o.grey_mask;
    for (int64_t e = 0; e < ab_per_image && !colourful; ++e)
      colourful = std::abs(abv[img * ab_per_image + e]) > o.grey_threshold;
    factor[p] = colourful ? wv[nearest[p]] : 0.0;
  }
  const Tensor weighted =
      mul(per_pixel, from_vector(factor, per_pixel.shape()).to(per_pixel.dtype()));
  switch (o.reduction) {
    case LossReduction::None: return weighted;
    case LossReduction::Sum: return sum(weighted);
    case LossReduction::Mean: return mean(weighted);
    default: return sum(weighted) * (1.0 / static_cast<double>(n));
  }
}

ColorLossOptions options(TargetResolution res, LossReduction red, bool mask, int64_t k = 5) {
  ColorLossOptions o;
  o.k = k;
  o.target_resolution = res;
  o.reduction = red;
  o.grey_mask = mask;
  return o;
}

}  // namespace

TEST_CASE("rebalanced_cross_entropy equals the dense reference, values and gradients",
          "[colorloss]") {
  struct Geometry { int64_t n, h, w, fy, fx; };
  for (const Geometry& s : {Geometry{3, 3, 2, 2, 2}, Geometry{2, 2, 3, 4, 4},
                            Geometry{2, 3, 3, 1, 1}, Geometry{2, 2, 2, 2, 4}}) {
    const Tensor ab = make_ab(s.n, s.h * s.fy, s.w * s.fx, 7);
    for (bool weighted : {false, true}) {
      const Tensor weights = weighted ? make_weights(8) : Tensor();
      for (TargetResolution res : kResolutions) {
        for (LossReduction red : kReductions) {
          for (bool mask : {false, true}) {
            for (int64_t k : {5, 10}) {
              INFO("logits " << s.n << "x313x" << s.h << "x" << s.w << " factor " << s.fy << "x"
                             << s.fx << " weighted " << weighted << " full "
                             << (res == TargetResolution::Full) << " reduction " << name(red)
                             << " mask " << mask << " k " << k);
              const ColorLossOptions o = options(res, red, mask, k);
              const Tensor x1 = leaf64({s.n, 313, s.h, s.w}, 3, -3.0, 3.0);
              const Tensor x2 = leaf64({s.n, 313, s.h, s.w}, 3, -3.0, 3.0);
              const Tensor got = rebalanced_cross_entropy(x1, ab, weights, o);
              const Tensor want = dense_reference(x2, ab, weights, o);
              REQUIRE(got.shape() == want.shape());
              REQUIRE(max_abs_diff(got, want) < 1e-11);
              Generator gen(4);
              const Tensor r = rand(got.shape(), gen, kF64, 0.5, 1.5);
              sum(mul(got, r)).backward();
              sum(mul(want, r)).backward();
              REQUIRE(max_abs_diff(x1.grad(), x2.grad()) < 1e-12);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("rebalanced_cross_entropy gradients match finite differences", "[colorloss]") {
  const Tensor ab = make_ab(2, 4, 4, 21);
  const Tensor weights = make_weights(22);
  for (bool weighted : {false, true}) {
    for (TargetResolution res : kResolutions) {
      for (bool mask : {false, true}) {
        for (LossReduction red : kReductions) {
          INFO("weighted " << weighted << " full " << (res == TargetResolution::Full)
                           << " mask " << mask << " reduction " << name(red));
          const ColorLossOptions o = options(res, red, mask);
          const Tensor w = weighted ? weights : Tensor();
          const Tensor x = leaf64({2, 313, 2, 2}, 23, -2.0, 2.0);
          CHECK(gradcheck([&](const Xs& in) { return rebalanced_cross_entropy(in[0], ab, w, o); },
                          {x}) == "");
        }
      }
    }
  }
  // A non-square factor, K = 10 and sigma = 3, through a non-contiguous logits view.
  const Tensor ab2 = make_ab(1, 2, 8, 24);
  ColorLossOptions o = options(TargetResolution::Full, LossReduction::Mean, false, 10);
  o.sigma = 3.0;
  const Tensor x = leaf64({1, 2, 313, 1}, 25, -2.0, 2.0);
  CHECK(gradcheck([&](const Xs& in) {
          return rebalanced_cross_entropy(in[0].permute({0, 2, 3, 1}), ab2, weights, o);
        }, {x}) == "");
}

TEST_CASE("rebalanced_cross_entropy values derived by hand", "[colorloss]") {
  // Uniform logits: log_softmax = -log 313 everywhere and the soft target sums to 1, so each
  // pixel's loss is v * log 313, whatever its target.
  const Tensor ab = make_ab(2, 8, 8, 31);
  const Tensor logits = zeros({2, 313, 2, 2}, kF64);
  const double l313 = std::log(313.0);
  ColorLossOptions o;  // defaults: Full resolution, per-image sum, K = 5, sigma = 5
  CHECK(rebalanced_cross_entropy(logits, ab, Tensor(), o).item() ==
        Approx(64 * l313).epsilon(1e-12));
  o.reduction = LossReduction::Mean;
  CHECK(rebalanced_cross_entropy(logits, ab, Tensor(), o).item() == Approx(l313).epsilon(1e-12));
  o.reduction = LossReduction::Sum;
  CHECK(rebalanced_cross_entropy(logits, ab, Tensor(), o).item() ==
        Approx(128 * l313).epsilon(1e-12));
  o.target_resolution = TargetResolution::Subsampled;
  CHECK(rebalanced_cross_entropy(logits, ab, Tensor(), o).item() ==
        Approx(8 * l313).epsilon(1e-12));
  // Weighted: v = w[nearest bin of each pixel].
  const Tensor w = make_weights(32);
  o.target_resolution = TargetResolution::Full;
  const std::vector<int64_t> nearest = nearest_bins(ab).to_vector<int64_t>();
  const std::vector<double> wv = w.to_vector<double>();
  double expect = 0;
  for (int64_t q : nearest) expect += wv[q] * l313;
  CHECK(rebalanced_cross_entropy(logits, ab, w, o).item() == Approx(expect).epsilon(1e-12));
  // Constant weights c scale the unweighted loss by c.
  const Tensor x = leaf64({2, 313, 2, 2}, 33, -2, 2);
  CHECK(rebalanced_cross_entropy(x, ab, full({313}, 2.5, kF64), o).item() ==
        Approx(2.5 * rebalanced_cross_entropy(x, ab, Tensor(), o).item()).epsilon(1e-12));
  // A pixel whose logits put everything on its target bins costs almost nothing: logits
  // log(z) reproduce the soft target exactly, and the loss is then its entropy.
  const Tensor one = from_vector<double>({0, 0}, {1, 2, 1, 1});
  const SoftEncoding e = soft_encode(one);
  std::vector<double> lz(313, -1e3);
  const std::vector<int64_t> idx = e.indices.to_vector<int64_t>();
  const std::vector<double> z = e.weights.to_vector<double>();
  double entropy = 0;
  for (int j = 0; j < 5; ++j) {
    lz[idx[j]] = std::log(z[j]);
    entropy -= z[j] * std::log(z[j]);
  }
  o.reduction = LossReduction::Sum;
  CHECK(rebalanced_cross_entropy(from_vector(lz, {1, 313, 1, 1}), one, Tensor(), o).item() ==
        Approx(entropy).epsilon(1e-12));
}

TEST_CASE("rebalanced_cross_entropy: per-pixel losses, grey mask and float32", "[colorloss]") {
  const Tensor ab = make_ab(3, 4, 4, 41);
  const Tensor w = make_weights(42);
  const Tensor x = leaf64({3, 313, 2, 2}, 43, -2, 2);
  ColorLossOptions o = options(TargetResolution::Full, LossReduction::None, false);
  const Tensor per = rebalanced_cross_entropy(x, ab, w, o);
  CHECK(per.shape() == Shape{3, 4, 4});
  o.target_resolution = TargetResolution::Subsampled;
  CHECK(rebalanced_cross_entropy(x, ab, w, o).shape() == Shape{3, 2, 2});
  // The per-image sums and the reductions agree.
  o.target_resolution = TargetResolution::Full;
  const std::vector<double> pv = per.to_vector<double>();
  double total = 0, image0 = 0;
  for (size_t i = 0; i < pv.size(); ++i) {
    total += pv[i];
    if (i < 16) image0 += pv[i];
  }
  o.reduction = LossReduction::PerImageSum;
  CHECK(rebalanced_cross_entropy(x, ab, w, o).item() == Approx(total / 3).epsilon(1e-12));
  o.reduction = LossReduction::Mean;
  CHECK(rebalanced_cross_entropy(x, ab, w, o).item() == Approx(total / 48).epsilon(1e-12));
  // The grey mask drops image 0 (every |a|, |b| <= 4) but keeps its pixels in the mean's
  // denominator.
  o.grey_mask = true;
  CHECK(image0 > 0);
  CHECK(rebalanced_cross_entropy(x, ab, w, o).item() ==
        Approx((total - image0) / 48).epsilon(1e-12));
  o.reduction = LossReduction::None;
  const std::vector<double> masked = rebalanced_cross_entropy(x, ab, w, o).to_vector<double>();
  for (int i = 0; i < 16; ++i) CHECK(masked[i] == 0.0);
  for (size_t i = 16; i < masked.size(); ++i) CHECK(masked[i] == pv[i]);
  // The threshold is strict, and the whole full-resolution ab counts (even with a
  // subsampled target).
  std::vector<double> grey(2 * 16, 5.0);
  o.reduction = LossReduction::Sum;
  o.target_resolution = TargetResolution::Subsampled;
  const Tensor x1 = leaf64({1, 313, 2, 2}, 44);
  CHECK(rebalanced_cross_entropy(x1, from_vector(grey, {1, 2, 4, 4}), Tensor(), o).item() == 0.0);
  grey[2 * 16 - 1] = -5.001;  // pixel (3, 3) of b, which the subsampled target never reads
  CHECK(rebalanced_cross_entropy(x1, from_vector(grey, {1, 2, 4, 4}), Tensor(), o).item() > 0.0);
  o.grey_threshold = 6.0;
  CHECK(rebalanced_cross_entropy(x1, from_vector(grey, {1, 2, 4, 4}), Tensor(), o).item() == 0.0);
  // float32 agrees with float64.
  o = options(TargetResolution::Full, LossReduction::Mean, true);
  const Tensor x32 = x.detach().to(DType::Float32).set_requires_grad();
  const Tensor l32 = rebalanced_cross_entropy(x32, ab.to(DType::Float32), w.to(DType::Float32), o);
  const Tensor l64 = rebalanced_cross_entropy(x, ab, w, o);
  CHECK(l32.dtype() == DType::Float32);
  CHECK(l32.item() == Approx(l64.item()).epsilon(1e-5));
  l32.backward();
  l64.backward();
  CHECK(max_abs_diff(x32.grad().to(DType::Float64), x.grad()) < 1e-6);
}

TEST_CASE("rebalanced_cross_entropy gives the logits, and nothing else, a gradient",
          "[colorloss]") {
  Tensor ab = make_ab(2, 4, 4, 51);
  ab.set_requires_grad();
  Tensor w = make_weights(52);
  w.set_requires_grad();
  const Tensor x = leaf64({2, 313, 1, 1}, 53);
  const Tensor loss = rebalanced_cross_entropy(x, ab, w, {});
  CHECK(loss.requires_grad());
  loss.backward();
  CHECK(x.grad().defined());
  CHECK_FALSE(ab.grad().defined());
  CHECK_FALSE(w.grad().defined());
  // Each logits row's gradient sums to zero (softmax and z both sum to one).
  const Tensor row_sums = sum(x.grad(), 1);
  for (double s : row_sums.to_vector<double>()) CHECK(std::abs(s) < 1e-12);
  // Without grad mode or with plain inputs there is no history.
  const Tensor plain = rebalanced_cross_entropy(x.detach(), ab.detach(), Tensor(), {});
  CHECK_FALSE(plain.requires_grad());
}

TEST_CASE("rebalanced_cross_entropy rejects bad input with clear errors", "[colorloss]") {
  const Tensor ab = make_ab(2, 8, 8, 61);
  const Tensor x = zeros({2, 313, 2, 2}, kF64);
  const Tensor w = make_weights(62);
  CHECK_THROWS_WITH(rebalanced_cross_entropy(zeros({2, 312, 2, 2}, kF64), ab, w, {}),
                    Contains("rebalanced_cross_entropy: expected logits of shape (N, 313, h, w), "
                             "got [2, 312, 2, 2]"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(zeros({2, 313, 4}, kF64), ab, w, {}),
                    Contains("got [2, 313, 4]"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, make_ab(3, 8, 8, 63), w, {}),
                    Contains("the logits hold N = 2 images but the ab target holds 3"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, make_ab(2, 7, 8, 63), w, {}),
                    Contains("the ab target's size 7 x 8 must be a whole multiple of the "
                             "logits' size 2 x 2"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, zeros({2, 3, 8, 8}, kF64), w, {}),
                    Contains("expected the ab target of shape (N, 2, H, W), got [2, 3, 8, 8]"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, ab.to(DType::Float32), w, {}),
                    Contains("the ab target must have the logits' dtype float64, got float32"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, ab, zeros({312}, kF64), {}),
                    Contains("expected class_weights of shape (313), got [312]"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, ab, zeros({313, 1}, kF64), {}),
                    Contains("expected class_weights of shape (313), got [313, 1]"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, ab, zeros({313}), {}),
                    Contains("class_weights must have the logits' dtype float64, got float32"));
  ColorLossOptions o;
  o.k = 40;
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, ab, w, o), Contains("k must be in [1, 32]"));
  o = {};
  o.sigma = -1;
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, ab, w, o), Contains("sigma must be positive"));
  // NaN (or infinite) logits are caught by the forward's log-sum-exp, at no extra pass.
  std::vector<double> bad(2 * 313 * 4, 0.0);
  bad[5] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(rebalanced_cross_entropy(from_vector(bad, {2, 313, 2, 2}), ab, w, {}),
                    Contains("rebalanced_cross_entropy: logits contain NaN") &&
                        Contains("at 1 of the 8 positions"));
  bad[5] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(rebalanced_cross_entropy(from_vector(bad, {2, 313, 2, 2}), ab, w, {}),
                    Contains("logits contain NaN or infinity"));
  std::vector<double> bad_ab = ab.to_vector<double>();
  bad_ab[3] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(rebalanced_cross_entropy(x, from_vector(bad_ab, ab.shape()), w, {}),
                    Contains("the ab target contains NaN or infinity at 1 of the 128 pixels"));
}

TEST_CASE("l2_color_loss is half the squared ab error, reduced per pixel, image or batch",
          "[colorloss]") {
  const Tensor pred = from_vector<double>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 1, 2});
  const Tensor ab = zeros({2, 2, 1, 2}, kF64);
  // Pixels: image 0 (1, 3) and (2, 4); image 1 (5, 7) and (6, 8).
  const std::vector<double> per = {0.5 * (1 + 9), 0.5 * (4 + 16), 0.5 * (25 + 49),
                                   0.5 * (36 + 64)};
  const double total = per[0] + per[1] + per[2] + per[3];
  const Tensor none = l2_color_loss(pred, ab, LossReduction::None);
  CHECK(none.shape() == Shape{2, 1, 2});
  CHECK(none.to_vector<double>() == per);
  CHECK(l2_color_loss(pred, ab, LossReduction::Sum).item() == total);
  CHECK(l2_color_loss(pred, ab, LossReduction::Mean).item() == total / 4);
  CHECK(l2_color_loss(pred, ab, LossReduction::PerImageSum).item() == total / 2);
  CHECK(l2_color_loss(pred, ab).item() == total / 2);

  for (LossReduction red : kReductions) {
    INFO("reduction " << name(red));
    const Tensor p = leaf64({2, 2, 3, 4}, 71, -50, 50);
    const Tensor t = leaf64({2, 2, 3, 4}, 72, -50, 50);
    CHECK(gradcheck([red](const Xs& in) { return l2_color_loss(in[0], in[1], red); }, {p, t}) ==
          "");
  }
  CHECK_THROWS_WITH(l2_color_loss(zeros({2, 3, 2, 2}), zeros({2, 3, 2, 2})),
                    Contains("l2_color_loss: expected the predicted ab of shape (N, 2, H, W), "
                             "got [2, 3, 2, 2]"));
  CHECK_THROWS_WITH(l2_color_loss(zeros({2, 2, 2, 2}), zeros({2, 2, 4, 4})),
                    Contains("shape mismatch"));
  CHECK_THROWS_WITH(l2_color_loss(zeros({2, 2, 2, 2}), zeros({2, 2, 2, 2}, kF64)),
                    Contains("dtype mismatch"));
}
