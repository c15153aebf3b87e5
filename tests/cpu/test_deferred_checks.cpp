// DeferredChecks (framework/ops/deferred_checks.h) and the optimizers' upload mode
// (framework/optim/cuda/multi_tensor.h) on the CPU: registries nest per scope and verify in
// order with the ops' own errors; the colorization loss on the CPU still checks at once (only
// CUDA ops defer); the upload mode is Launch unless a scope sets it. (Deferred checks inside a
// CUDA graph: tests/cuda/test_graph_parity.cpp.)
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "framework/ops/deferred_checks.h"
#include "framework/optim/cuda/multi_tensor.h"
#include "framework/tint.h"
#include "kernels/color_loss.h"

using namespace tint;
using Catch::Matchers::Contains;

TEST_CASE("deferred checks nest per scope and verify in order", "[deferred_checks]") {
  CHECK(DeferredChecks::active() == nullptr);
  DeferredChecks outer, inner;
  std::vector<std::string> seen;
  {
    const DeferredChecks::Scope a(outer);
    CHECK(DeferredChecks::active() == &outer);
    {
      const DeferredChecks::Scope b(inner);
      CHECK(DeferredChecks::active() == &inner);
      inner.add(from_vector(std::vector<int64_t>{0, 3}, {2}),
                [&](const std::vector<int64_t>& c) {
                  seen.push_back("inner " + std::to_string(c[1]));
                  TINT_CHECK(c[1] == 0, "op: ", c[1], " bad values");
                });
    }
    CHECK(DeferredChecks::active() == &outer);
    outer.add(from_vector(std::vector<int64_t>{7}, {1}),
              [&](const std::vector<int64_t>& c) { seen.push_back("outer " + std::to_string(c[0])); });
  }
  CHECK(DeferredChecks::active() == nullptr);
  CHECK(inner.size() == 1);
  CHECK_THROWS_WITH(inner.verify(), Contains("op: 3 bad values"));
  CHECK_NOTHROW(outer.verify());
  CHECK(seen == std::vector<std::string>{"inner 3", "outer 7"});
  CHECK_THROWS_WITH(outer.add(zeros({2}), {}), Contains("int64"));
}

TEST_CASE("the colorization loss on the CPU checks at once even in a deferring scope",
          "[deferred_checks]") {
  DeferredChecks checks;
  const DeferredChecks::Scope scope(checks);
  Tensor logits = zeros({1, color::kNumBins, 2, 2});
  logits.fill_(std::nan(""));
  const Tensor ab = zeros({1, 2, 8, 8});
  CHECK_THROWS_WITH(color::rebalanced_cross_entropy(logits, ab, Tensor()),
                    Contains("NaN or infinity"));
  CHECK(checks.size() == 0);
}

TEST_CASE("the optimizers upload their GPU table afresh unless a scope says otherwise",
          "[deferred_checks][optim]") {
  CHECK(cuda::multi_tensor_mode() == cuda::MultiTensorMode::Launch);
  {
    const cuda::MultiTensorModeScope staged(cuda::MultiTensorMode::StageOnly);
    CHECK(cuda::multi_tensor_mode() == cuda::MultiTensorMode::StageOnly);
  }
  CHECK(cuda::multi_tensor_mode() == cuda::MultiTensorMode::Launch);
}
