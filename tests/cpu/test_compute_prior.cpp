// The apps/compute_prior binary on a small folder: it writes the prior and its plot, and
// refuses (one line, exit 1, the photo untouched) an --out or --plot that is one of its own
// input images, by the same name, a symlink or a hard link, and a --plot inside --data.
#include <catch2/catch.hpp>
#include <filesystem>

#include "app_runs.h"
#include "kernels/prior.h"
#include "temp_dir.h"
#include "trainer_fixtures.h"

using namespace tint;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("compute_prior never writes over one of its input images", "[prior][apps]") {
  const fs::path app = tint::testing::app_path("compute_prior");
  if (!fs::exists(app)) {
    WARN("apps/compute_prior is not built next to the tests (" << app << "); skipped");
    return;
  }
  tint::testing::TempDir dir;
  tint::testing::make_scene_folder(dir.path / "data", 3, 1);
  const fs::path photo = dir.path / "data" / "train" / "scene_0.png";
  const std::string photo_bytes = tint::testing::read_text(photo);
  fs::create_symlink(photo, dir.path / "link.png");
  fs::create_hard_link(photo, dir.path / "hard.png");
  const std::string base = app.string() + " --device cpu --data " + (dir.path / "data").string();
  const fs::path err = dir.path / "err.txt";
  std::string text;

  const auto refused = [&](const std::string& flags, const std::string& why) {
    INFO(flags);
    CHECK(tint::testing::run_command(base + " " + flags, err, &text) == 1);
    CHECK_THAT(text, Contains("compute_prior: ") && Contains(why));
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    CHECK(tint::testing::read_text(photo) == photo_bytes);
  };
  const std::string prior = (dir.path / "prior.safetensors").string();
  refused("--out " + photo.string(), "is the input image");
  refused("--out " + prior + " --plot " + photo.string(), "is the input image");
  refused("--out " + prior + " --plot " + (dir.path / "link.png").string(),
          "the same file by another name");
  refused("--out " + prior + " --plot " + (dir.path / "hard.png").string(),
          "the same file by another name");
  refused("--out " + prior + " --plot " + (dir.path / "data" / "prior.png").string(),
          "is inside --data");
  CHECK_FALSE(fs::exists(prior));

  CHECK(tint::testing::run_command(base + " --out " + prior, err, &text) == 0);
  CHECK(color::load_prior(prior).images == 4);
  CHECK(fs::exists(dir.path / "prior.png"));
  CHECK(tint::testing::read_text(photo) == photo_bytes);
}
