// CUDA graphs' errors where there is no GPU (the graphs themselves: tests/cuda/
// test_graph_parity.cpp): a graph needs a CUDA device (or a CUDA build), a graphed training
// step a CUDA device; each says so in one sentence. And the generators' tally of counters
// that a captured step's dropout replays skip past.
#include <catch2/catch.hpp>

#include "framework/cuda/graph.h"
#include "framework/cuda/runtime.h"
#include "framework/optim/graphed_step.h"
#include "framework/tint.h"

using namespace tint;
using Catch::Matchers::Contains;

TEST_CASE("CUDA graphs refuse a machine or device without CUDA", "[graph]") {
  Tensor w = ones({2});
  w.set_requires_grad();
  SGD opt({{"w", w}}, SGDOptions{.lr = 0.1});
  CHECK_THROWS_WITH(GraphedTrainStep(Device::cpu(), [&] { return w * 2.0; },
                                     [](const Tensor& y) { return sum(y); }, opt),
                    Contains("CUDA graphs need a CUDA device, got cpu"));
  if (!cuda::available()) CHECK_THROWS_WITH(cuda::Graph(0), Contains("CUDA"));
}

TEST_CASE("generators tally the counters they take, which a graph's replays skip past",
          "[graph]") {
  Generator a(1), b(2);
  const uint64_t before = Generator::total_taken();
  CHECK(a.take(100) == 0);
  CHECK(b.take(7) == 0);
  CHECK(a.take(1) == 100);
  CHECK(Generator::total_taken() - before == 108);
  // Without a CUDA device the replay offset is not used: no-ops.
  advance_dropout_replay_offset(Device::cpu(), 5);
  reset_dropout_replay_offset(Device::cpu());
}
