// Why tests/cuda/test_graph_parity.cpp compares a graphed training step with the eager one
// step by step, from shared parameters, and not over a free-running trajectory: training
// amplifies rounding. With that test's set-up (eccv16 at width 1/8, 2 x 32 x 32 inputs, the
// rebalanced loss, Adam lr 0.05, eps 1), parameters perturbed by 1e-7 of their size (about
// float32's rounding) drift apart by several per cent of their movement within five steps,
// while one step from equal parameters, perturbed by 1e-6, stays within 0.1 % of its size.
#include <catch2/catch.hpp>
#include <algorithm>
#include <vector>

#include "framework/tint.h"
#include "gradcheck.h"
#include "kernels/color_loss.h"
#include "models/registry.h"
#include "parameter_steps.h"

using namespace tint;
using tint::testing::assign_parameters;
using tint::testing::max_abs_diff;
using tint::testing::snapshot;

namespace {

struct Trainee {
  std::unique_ptr<models::ColorizerModel> model;
  std::unique_ptr<Adam> adam;
};

Trainee make_trainee() {
  Generator gen(6);
  Trainee t{models::make_model("eccv16", models::Head::Classification, 0.125, gen), nullptr};
  t.model->train();
  t.adam = std::make_unique<Adam>(t.model->trainable_parameters(),
                                  AdamOptions{.lr = 0.05, .eps = 1.0});
  return t;
}

// The largest parameter-wise distance between a and b over the parameter's distance from
// `reference` (its movement).
double worst_relative_gap(const NamedParameters& a, const NamedParameters& b,
                          const std::vector<Tensor>& reference) {
  double worst = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    const double moved = max_abs_diff(b[k].second, reference[k]);
    if (moved > 0) worst = std::max(worst, max_abs_diff(a[k].second, b[k].second) / moved);
  }
  return worst;
}

}  // namespace

TEST_CASE("training amplifies rounding over steps, one step from shared parameters does not",
          "[optim][sensitivity]") {
  Generator data(5);
  const Tensor L = rand({2, 1, 32, 32}, data, TensorOptions{}, 0.0, 100.0);
  const Tensor ab = rand({2, 2, 32, 32}, data, TensorOptions{}, -60.0, 60.0);
  const auto train_step = [&](Trainee& t) {
    t.adam->zero_grad();
    color::rebalanced_cross_entropy(t.model->forward(L), ab, Tensor()).backward();
    t.adam->step();
  };

  SECTION("five free-running steps from parameters 1e-7 apart") {
    Trainee a = make_trainee(), b = make_trainee();
    const std::vector<Tensor> start = snapshot(a.model->named_parameters());
    assign_parameters(a.model->named_parameters(), b.model->named_parameters(), 1e-7, 9);
    for (int i = 0; i < 5; ++i) train_step(a), train_step(b);
    const double gap =
        worst_relative_gap(b.model->named_parameters(), a.model->named_parameters(), start);
    INFO("worst gap " << 100 * gap << " % of a parameter's movement");
    CHECK(gap > 0.02);  // a 2 % tolerance on whole trajectories is a coin toss
  }
  SECTION("each of five steps from shared parameters, perturbed by 1e-6") {
    Trainee a = make_trainee(), b = make_trainee();
    double worst = 0;
    for (int i = 0; i < 5; ++i) {
      assign_parameters(a.model->named_parameters(), b.model->named_parameters(), 1e-6, 100 + i);
      const std::vector<Tensor> before = snapshot(a.model->named_parameters());
      train_step(a), train_step(b);
      worst = std::max(worst, worst_relative_gap(b.model->named_parameters(),
                                                 a.model->named_parameters(), before));
    }
    INFO("worst gap " << 100 * worst << " % of a step's size");
    CHECK(worst < 1e-3);  // the graph parity test allows 1e-2
  }
}
