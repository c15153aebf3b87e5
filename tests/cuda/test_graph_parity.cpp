// CUDA graphs (framework/cuda/graph.h, framework/optim/graphed_step.h): a captured sequence
// replays the same kernels (values equal to running it again eagerly); a whole training step
// (forward, loss, backward, Adam) replayed from a graph gives the eager step's losses and
// parameters, step after step (eccv16 trains without dropout; float32, TF32 off); the loss's
// NaN check, deferred in the graph, still reports after the replay; and dropout inside the
// graph draws a fresh mask at every replay.
// Each step starts both sides from the same parameters (the eager model's, copied into the
// graphed model's tensors in place, which the replay must then read), so the comparison is
// of one step at a time: training itself is chaotic, and comparing whole trajectories
// compares how float32 rounding grows (tests/cpu/test_step_sensitivity.cpp: with this test's
// Adam, parameters 1e-7 of their size apart end five free-running steps up to 65 % of a
// parameter's movement apart, while one step from shared parameters 1e-6 apart moves them
// apart by at most 0.04 % of the step's size; a free-running version of this test allowing
// 2 % failed on an H100 at 2.9 %, device-log run 8). Adam runs with
// eps = 1, an update close to linear in the gradient (with eps = 1e-8 a gradient near zero
// turns last-bit differences into whole steps of +-lr), so each parameter's step compares at
// 1 % of its size, where a skipped, doubled or stale update (a stale bias correction) or a
// replay reading stale parameters is off by tens of per cent.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <vector>

#include "framework/cuda/graph.h"
#include "framework/cuda/runtime.h"
#include "framework/cuda/settings.h"
#include "framework/memory/device_memory.h"
#include "framework/optim/cuda/multi_tensor.h"
#include "framework/optim/graphed_step.h"
#include "framework/tint.h"
#include "kernels/color_loss.h"
#include "models/registry.h"
#include "parameter_steps.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;

TEST_CASE("a captured graph replays its kernels on the current inputs", "[cuda][graph]") {
  const Device gpu = Device::cuda();
  Tensor x = cpu_leaf({4, 8, 6, 6}, 1).detach().to(gpu);
  const Tensor w = cpu_leaf({8, 8, 3, 3}, 2).detach().to(gpu);
  Tensor y;
  cuda::Graph graph;
  const auto work = [&] { y = relu(conv2d(x, w, Tensor(), Conv2dOptions{{1}, {1}})) * 2.0; };
  graph.warmup(work);
  graph.capture(work);
  CHECK(graph.captured());
  CHECK(graph.nodes() > 0);
  for (uint64_t seed : {3, 4}) {
    x.copy_(cpu_leaf({4, 8, 6, 6}, seed).detach().to(gpu));  // new inputs, same address
    graph.replay();
    const Tensor want = relu(conv2d(x, w, Tensor(), Conv2dOptions{{1}, {1}})) * 2.0;
    CHECK(max_abs_diff(y.cpu(), want.cpu()) == 0.0);
  }
  CHECK_THROWS_WITH(graph.capture(work), Catch::Matchers::Contains("already captured"));
}

TEST_CASE("a training step replayed from a CUDA graph equals the eager step", "[cuda][graph]") {
  const bool tf32 = cuda::settings().allow_tf32;
  cuda::settings().allow_tf32 = false;
  const Device gpu = Device::cuda();
  Generator data(5);
  const Tensor L = rand({2, 1, 32, 32}, data, TensorOptions{}, 0.0, 100.0).to(gpu);
  const Tensor ab = rand({2, 2, 32, 32}, data, TensorOptions{}, -60.0, 60.0).to(gpu);
  auto build = [&] {
    Generator gen(6);
    auto model = models::make_model("eccv16", models::Head::Classification, 0.125, gen);
    model->to(gpu);
    model->train();
    return model;
  };
  auto eager = build(), graphed = build();
  const AdamOptions adam{.lr = 0.05, .eps = 1.0};
  Adam eager_opt(eager->trainable_parameters(), adam);
  Adam graph_opt(graphed->trainable_parameters(), adam);
  const auto loss_of = [&](const Tensor& logits) {
    return color::rebalanced_cross_entropy(logits, ab, Tensor());
  };
  GraphedTrainStep step(gpu, [&] { return graphed->forward(L); }, loss_of, graph_opt);
  const NamedParameters a = graphed->named_parameters(), b = eager->named_parameters();
  size_t moved_count = 0;
  for (int i = 0; i < 5; ++i) {
    INFO("step " << i);
    assign_parameters(b, a);  // in place: the tensors the graph replays on
    const std::vector<Tensor> before = snapshot(b);  // on the host
    eager_opt.zero_grad();
    const Tensor want = loss_of(eager->forward(L));
    want.backward();
    eager_opt.step();
    const Tensor got = step.step();
    CHECK(std::abs(got.item() - want.item()) <= 1e-4 * std::abs(want.item()));
    // Each parameter took the eager one's step (within 1 % of the step's size).
    for (size_t k = 0; k < a.size(); ++k) {
      INFO(a[k].first);
      const Tensor eager_now = b[k].second.cpu();  // copied to the host once, used twice
      const double moved = max_abs_diff(eager_now, before[k]);
      if (i == 4) moved_count += moved > 0;
      CHECK(max_abs_diff(a[k].second.cpu(), eager_now) <= 1e-2 * moved + 1e-7);
    }
  }
  CHECK(step.captured());
  CHECK(step.graph_nodes() > 50);
  CHECK(cuda::multi_tensor_mode() == cuda::MultiTensorMode::Launch);  // restored
  CHECK(moved_count * 10 >= a.size() * 9);  // the training moved (nearly) every parameter
  const StateDict sa = graphed->state_dict(), sb = eager->state_dict();
  CHECK(sa.at("model1.4.num_batches_tracked").cpu().item() ==
        sb.at("model1.4.num_batches_tracked").cpu().item());
  cuda::settings().allow_tf32 = tf32;
}

TEST_CASE("a replayed step reports what the loss would have refused", "[cuda][graph]") {
  const Device gpu = Device::cuda();
  Generator data(7);
  const Tensor L = rand({2, 1, 32, 32}, data, TensorOptions{}, 0.0, 100.0).to(gpu);
  Tensor ab = rand({2, 2, 32, 32}, data, TensorOptions{}, -60.0, 60.0).to(gpu);
  Generator gen(8);
  auto model = models::make_model("eccv16", models::Head::Classification, 0.125, gen);
  model->to(gpu);
  Adam opt(model->trainable_parameters(), AdamOptions{.lr = 1e-3});
  GraphedTrainStep step(
      gpu, [&] { return model->forward(L); },
      [&](const Tensor& logits) { return color::rebalanced_cross_entropy(logits, ab, Tensor()); },
      opt);
  step.step();  // warm-up
  step.step();  // capture and replay
  CHECK(std::isfinite(step.step().item()));
  // A NaN target reaches the loss whatever the network does (which check a NaN input would
  // trip depends on the network: batch norm spreads it over its channel).
  ab.copy_(full(ab.shape(), std::nan("")).to(gpu));
  CHECK_THROWS_WITH(step.step(), Catch::Matchers::Contains("the ab target contains NaN"));
}

TEST_CASE("dropout in a replayed step draws fresh masks every step", "[cuda][graph]") {
  const Device gpu = Device::cuda();
  Tensor w = ones({1, 8, 16, 16}).to(gpu);
  w.set_requires_grad();
  SGD opt({{"w", w}}, SGDOptions{.lr = 0.0});  // w stays all ones
  Generator gen(9);
  GraphedTrainStep step(
      gpu, [&] { return dropout(w * 1.0, 0.5, true, gen); },
      [](const Tensor& y) { return sum(y); }, opt);
  std::set<double> losses;
  for (int i = 0; i < 6; ++i) {
    // 2048 elements, each kept (as 2) with probability 1/2: 2048 +- 45 (one sd).
    const double loss = step.step().item();
    CHECK(std::abs(loss - 2048.0) < 400.0);
    if (i >= 1) losses.insert(loss);  // the warm-up step aside
  }
  CHECK(step.captured());
  CHECK(losses.size() >= 4);  // five replayed steps, not one mask five times
}
