// train_colorizer with --cuda-graph (apps/support/trainer.cpp, framework/optim/
// graphed_step.h) against the same run stepped eagerly: with eccv16 (no dropout, lr 1e-4)
// the per-step losses agree (steps 1-4 to 1e-3, the rest to 1e-2: Adam turns last-bit
// differences into steps of up to lr, tests/cuda/test_graph_parity.cpp), and so do the final
// val losses, where a batch left stale in the graph's input tensors would be off by 3-13 %
// (the batches' losses on the cpu, 2026-11-26: 1.487, 1.437, 1.627, 1.475, ...); with seed
// (dropout) a graphed run stopped after 4 steps saves dropout counters past those an eager
// run of 4 steps saves (the replays drew past the host generators), and resumes graphed to
// its end. Needs tint_app_support.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <vector>

#include "apps/support/trainer.h"
#include "framework/tint.h"
#include "trainer_fixtures.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::apps;
namespace fs = std::filesystem;

namespace {

// The cpu tests' small run (trainer_fixtures.h) on the GPU, width 1/4, without augmentation.
TrainConfig gpu_config(const fs::path& data, const fs::path& out, const std::string& model) {
  TrainConfig c = testing::small_train_config(data, out);
  c.model = model;
  c.width = 0.25;
  c.device = "cuda";
  c.grid_images = 2;
  c.augment = false;
  return c;
}

// Trains c, returning each step's loss (per pixel) and the result.
TrainResult train_recording(const TrainConfig& c, std::vector<double>* losses,
                            std::function<bool(int64_t)> stop = {}) {
  TrainHooks hooks{.should_stop = std::move(stop), .log = [](const std::string&) {},
                   .progress = false};
  hooks.on_step = [losses](int64_t, double loss) { losses->push_back(loss); };
  return train_colorizer(c, hooks);
}

}  // namespace

TEST_CASE("a CUDA-graph training run follows the eager run step by step",
          "[cuda][graph][trainer]") {
  testing::TempDir dir;
  testing::make_scene_folder(dir.path / "data", 32, 8);  // 4 full batches of 8 per epoch
  TrainConfig c = gpu_config(dir.path / "data", dir.path / "eager", "eccv16");
  c.iters = 12;
  c.lr = 1e-4;
  std::vector<double> eager, graphed;
  const TrainResult e = train_recording(c, &eager);
  c.cuda_graph = true;
  c.out = (dir.path / "graphed").string();
  const TrainResult g = train_recording(c, &graphed);
  REQUIRE(eager.size() == 12);
  REQUIRE(graphed.size() == 12);
  for (size_t i = 0; i < eager.size(); ++i) {
    INFO("step " << i + 1 << ": eager " << eager[i] << ", graphed " << graphed[i]);
    CHECK(std::isfinite(graphed[i]));
    CHECK(graphed[i] == Approx(eager[i]).epsilon(i < 4 ? 1e-3 : 1e-2));
  }
  REQUIRE(!e.history.empty());
  REQUIRE(!g.history.empty());
  CHECK(g.history.back().val_loss == Approx(e.history.back().val_loss).epsilon(1e-2));
  CHECK(g.steps == 12);
}

TEST_CASE("a CUDA-graph run with dropout saves counters past its replays and resumes",
          "[cuda][graph][trainer]") {
  testing::TempDir dir;
  testing::make_scene_folder(dir.path / "data", 36, 8);  // 4 full batches, 4 images dropped
  TrainConfig c = gpu_config(dir.path / "data", dir.path / "eager", "seed");
  c.iters = 8;
  std::vector<double> losses;
  const auto stop_at_4 = [](int64_t steps) { return steps >= 4; };
  REQUIRE(train_recording(c, &losses, stop_at_4).interrupted);
  c.cuda_graph = true;
  c.out = (dir.path / "graphed").string();
  losses.clear();
  REQUIRE(train_recording(c, &losses, stop_at_4).interrupted);
  const Checkpoint eager_ck = read_checkpoint((dir.path / "eager" / "last.safetensors").string());
  const Checkpoint graph_ck =
      read_checkpoint((dir.path / "graphed" / "last.safetensors").string());
  CHECK(graph_ck.extra.at("train.cuda_graph") == "1");
  int dropouts = 0;
  for (const auto& [key, value] : eager_ck.extra) {
    if (key.rfind("train.dropout.", 0) != 0) continue;
    ++dropouts;
    INFO(key << ": eager " << value << ", graphed " << graph_ck.extra.at(key));
    CHECK(std::stoull(graph_ck.extra.at(key)) >= std::stoull(value));
  }
  CHECK(dropouts == 7);
  c.resume = true;
  const TrainResult r = train_recording(c, &losses);
  CHECK_FALSE(r.interrupted);
  CHECK(r.steps == 8);
  REQUIRE(losses.size() == 8);
  for (double loss : losses) CHECK(std::isfinite(loss));
  CHECK(std::isfinite(r.history.back().val_loss));
}
