// AuC of ab errors: hand-computed curves, perfect and hopeless predictions, weights, pooled
// versus per-image means, and accumulation across batches.
#include <catch2/catch.hpp>

#include "framework/tint.h"
#include "kernels/metrics.h"

using namespace tint;
using namespace tint::color;
using Catch::Matchers::Contains;

TEST_CASE("AuC of perfect, hopeless and hand-made predictions", "[metrics]") {
  Generator gen(1);
  const Tensor truth = rand({2, 2, 4, 5}, gen, {}, -60, 60);
  AucAccumulator perfect;
  perfect.add(truth, truth);
  CHECK(perfect.result().pooled == Approx(1.0));
  CHECK(perfect.result().mean_per_image == Approx(1.0));
  AucAccumulator hopeless;
  hopeless.add(add(truth, 200.0), truth);  // every error is 200 * sqrt(2) > 150
  CHECK(hopeless.result().pooled == 0.0);
  // All errors exactly 10: the curve is 0 for t < 10 and 1 from t = 10, so the trapezoids
  // give (150 - 10 + 0.5) / 150.
  const Tensor errors = full({1, 3, 3}, 10.0, TensorOptions{}.with_dtype(DType::Float64));
  CHECK(auc_from_errors(errors).pooled == Approx((140.5) / 150.0));
  // Half the pixels at 0, half at 151: the curve is 0.5 everywhere.
  const Tensor half = from_vector<double>({0, 0, 151, 151}, {1, 2, 2});
  CHECK(auc_from_errors(half).pooled == Approx(0.5));
}

TEST_CASE("AuC pools pixels and also averages per image; weights count pixels", "[metrics]") {
  const Tensor e = from_vector<double>({0, 0, 0, 0, /*image 2*/ 0, 200, 200, 200}, {2, 2, 2});
  const AucResult r = auc_from_errors(e);
  REQUIRE(r.per_image.size() == 2);
  CHECK(r.per_image[0] == Approx(1.0));
  CHECK(r.per_image[1] == Approx(0.25));
  CHECK(r.mean_per_image == Approx(0.625));
  CHECK(r.pooled == Approx(5.0 / 8.0));
  // Weight the bad pixels 0: image 2 becomes perfect.
  const Tensor w = from_vector<double>({1, 1, 1, 1, 1, 0, 0, 0}, {2, 2, 2});
  CHECK(auc_from_errors(e, w).pooled == Approx(1.0));
  CHECK(r.cumulative.size() == 151);
  CHECK(r.cumulative[0] == Approx(5.0 / 8.0));
  CHECK_THROWS_WITH(auc_from_errors(e, ones({2, 2})), Contains("do not match"));
}

TEST_CASE("accumulating batches equals one call", "[metrics]") {
  Generator gen(2);
  const Tensor truth = rand({6, 2, 8, 8}, gen, {}, -80, 80);
  const Tensor pred = rand({6, 2, 8, 8}, gen, {}, -80, 80);
  AucAccumulator once, twice;
  once.add(pred, truth);
  twice.add(pred.slice(0, 0, 2), truth.slice(0, 0, 2));
  twice.add(pred.slice(0, 2, 6), truth.slice(0, 2, 6));
  CHECK(once.result().pooled == Approx(twice.result().pooled).epsilon(1e-12));
  CHECK(once.result().per_image == twice.result().per_image);
  CHECK(twice.images() == 6);
  CHECK_THROWS_WITH(once.add(pred, truth.slice(0, 0, 3)), Contains("differ in shape"));
}
