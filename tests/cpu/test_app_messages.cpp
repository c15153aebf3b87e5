// What the apps' binaries say and exit with, on files the test writes: evaluate, colorize and
// compute_prior skip unreadable images, finish the rest and exit 1 with a count (one rule);
// 0 for a --size or --temperature is an error, never "the default"; a classifier, a prior or
// a checkpoint with bad metadata given where a colorizer (or a classifier) belongs is one
// line naming the file, with the app's name once; train_colorizer's summary lists exactly
// the files it wrote. Needs tint_app_support and the apps built next to the tests (skipped
// with a warning otherwise).
#include <catch2/catch.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "app_runs.h"
#include "apps/support/colorize_image.h"
#include "apps/support/image_classifier.h"
#include "framework/io/metadata.h"
#include "framework/tint.h"
#include "kernels/prior.h"
#include "models/registry.h"
#include "models/small_vgg.h"
#include "temp_dir.h"
#include "trainer_fixtures.h"

using namespace tint;
using namespace tint::apps;
using namespace tint::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

// n scenes (trainer_fixtures.h) as folder/scene_<i>.png.
void write_scenes(const fs::path& folder, int n) {
  fs::create_directories(folder);
  for (int i = 0; i < n; ++i)
    write_png((folder / ("scene_" + std::to_string(i) + ".png")).string(), scene(i));
}

// The binary, or a warning and false when it is not built next to the tests.
bool have(const fs::path& binary) {
  if (fs::exists(binary)) return true;
  WARN(binary << " is not built next to the tests; skipped");
  return false;
}

// A tiny seed network saved as train_colorizer saves it, with extra metadata on top.
std::string save_colorizer(const TempDir& dir, const std::string& name, Metadata extra = {}) {
  Generator gen(7);
  auto model = models::make_model("seed", models::Head::Classification, 0.0625, gen);
  Metadata meta = {{kTrainModelKey, "seed"}, {kTrainWidthKey, "0.0625"},
                   {kTrainLossKey, "class-rebal"}, {kTrainSizeKey, "16"},
                   {kTrainTemperatureKey, "0.38"}};
  for (const auto& [key, value] : extra) meta[key] = value;
  const std::string path = dir.file(name);
  save_checkpoint(path, *model, nullptr, meta);
  return path;
}

std::string save_classifier(const TempDir& dir) {
  Generator gen(11);
  models::SmallVgg model(2, 0.25, gen);
  const std::string path = dir.file("classifier.safetensors");
  save_checkpoint(path, model, nullptr, classifier_metadata({"blue", "red"}, 0.25, 16, "d"));
  return path;
}

std::string save_a_prior(const TempDir& dir) {
  std::vector<double> counts(color::kNumBins, 1.0);
  const color::ColorPrior prior = color::prior_from_counts(from_vector(counts, {color::kNumBins}));
  const std::string path = dir.file("prior.safetensors");
  color::save_prior(path, prior);
  return path;
}

// The one stderr line an app printed for an error, checked to be one line that names the app
// once.
std::string one_line(const AppRun& run, const std::string& app) {
  INFO(run.err);
  CHECK(line_count(run.err) == 1);
  CHECK_THAT(run.err, StartsWith(app + ": "));
  CHECK(run.err.find(app + ": " + app + ":") == std::string::npos);
  return run.err;
}

}  // namespace

TEST_CASE("evaluate, colorize and compute_prior finish the readable images and exit 1 with "
          "the count of skipped ones",
          "[apps]") {
  const fs::path evaluate = app_path("evaluate"), colorize = app_path("colorize"),
                 compute_prior = app_path("compute_prior");
  if (!have(evaluate) || !have(colorize) || !have(compute_prior)) return;
  TempDir dir;
  write_scenes(dir.path / "data" / "train" / "pics", 2);
  const fs::path pics = dir.path / "data" / "test" / "pics";
  write_scenes(pics, 2);
  std::ofstream(pics / "broken.png") << "not a png";
  const std::string ckpt = save_colorizer(dir, "net.safetensors");
  const std::string data = (dir.path / "data").string();

  const auto run_all = [&](const std::string& tag) {
    const std::string eval_out = dir.file("eval_" + tag), col_out = dir.file("col_" + tag),
                      prior_out = dir.file("prior_" + tag + ".safetensors");
    return std::array<AppRun, 3>{
        run_app_binary(evaluate,
                       "--baseline gray --device cpu --threads 1 --size 16 --no-images --data " +
                           data + " --out " + eval_out,
                       dir.path),
        run_app_binary(colorize,
                       "--device cpu --checkpoint " + ckpt + " --out " + col_out + " " +
                           pics.string(),
                       dir.path),
        run_app_binary(compute_prior,
                       "--device cpu --no-plot --data " + pics.string() + " --out " + prior_out,
                       dir.path)};
  };
  const auto [e, c, p] = run_all("skip");
  INFO(e.err << c.err << p.err);
  CHECK(e.status == 1);
  CHECK_THAT(e.err, Contains("broken.png"));
  CHECK_THAT(e.err, Contains("evaluate: 1 of 3 image(s) could not be read and were skipped (the "
                             "scores are of the other 2)"));
  CHECK(fs::exists(dir.path / "eval_skip" / "summary.json"));
  CHECK(c.status == 1);
  CHECK_THAT(c.err, Contains("colorize: 1 of 3 image(s) could not be read and were skipped"));
  CHECK(fs::exists(dir.path / "col_skip" / "scene_0.png"));
  CHECK(fs::exists(dir.path / "col_skip" / "scene_1.png"));
  CHECK(p.status == 1);
  CHECK_THAT(p.err, Contains("compute_prior: 1 of 3 image file(s) could not be read and were "
                             "skipped (the prior is of the other 2)"));
  CHECK(fs::exists(dir.path / "prior_skip.safetensors"));

  // Every image readable: status 0 for all three.
  fs::remove(pics / "broken.png");
  const auto [e2, c2, p2] = run_all("clean");
  INFO(e2.err << c2.err << p2.err);
  CHECK(e2.status == 0);
  CHECK(c2.status == 0);
  CHECK(p2.status == 0);
}

TEST_CASE("0 for --size or --temperature is an error everywhere; leaving the flag out is the "
          "default",
          "[apps]") {
  const fs::path evaluate = app_path("evaluate"), colorize = app_path("colorize"),
                 compute_prior = app_path("compute_prior");
  if (!have(evaluate) || !have(colorize) || !have(compute_prior)) return;
  TempDir dir;
  const std::string missing = dir.file("missing");
  const AppRun size = run_app_binary(
      evaluate, "--baseline gray --data " + missing + " --out " + missing + " --size 0", dir.path);
  CHECK(size.status == 105);
  CHECK(one_line(size, "evaluate") ==
        "evaluate: --size: expected a multiple of 8 in [8, 4096], got 0 (run with --help for "
        "the flags)\n");
  const AppRun temperature = run_app_binary(
      evaluate, "--baseline gray --data " + missing + " --out " + missing + " --temperature 0",
      dir.path);
  CHECK(temperature.status == 105);
  CHECK_THAT(one_line(temperature, "evaluate"),
             Contains("--temperature: expected a number in (0, 10], got 0"));
  for (const char* flag : {"--size", "--temperature"}) {
    const AppRun run = run_app_binary(
        colorize, "--checkpoint c --out " + missing + " x.png " + flag + " 0", dir.path);
    CHECK(run.status == 105);
    CHECK_THAT(one_line(run, "colorize"), Contains(std::string(flag) + ": expected"));
  }
  const AppRun prior_size =
      run_app_binary(compute_prior, "--data " + missing + " --size 0", dir.path);
  CHECK(prior_size.status == 105);
  CHECK_THAT(one_line(prior_size, "compute_prior"),
             Contains("--size: expected a whole number in [1, 4096], got 0"));
}

TEST_CASE("a wrong kind of file or bad checkpoint metadata is one line naming the file",
          "[apps]") {
  const fs::path evaluate = app_path("evaluate"), colorize = app_path("colorize");
  if (!have(evaluate) || !have(colorize)) return;
  TempDir dir;
  write_scenes(dir.path / "pics", 1);
  const std::string image = (dir.path / "pics" / "scene_0.png").string();
  const auto colorize_with = [&](const std::string& checkpoint) {
    return run_app_binary(colorize,
                          "--device cpu --checkpoint " + checkpoint + " --out " +
                              dir.file("out") + " " + image,
                          dir.path);
  };
  // The 0 came from the checkpoint's train.size: said so, once prefixed.
  const std::string zero_size =
      save_colorizer(dir, "zero_size.safetensors", {{kTrainSizeKey, "0"}});
  const AppRun size = colorize_with(zero_size);
  CHECK(size.status == 1);
  CHECK(one_line(size, "colorize") ==
        "colorize: " + zero_size +
            ": its metadata train.size is '0', not a multiple of 8 in [8, 4096]\n");
  const std::string hot = save_colorizer(dir, "hot.safetensors", {{kTrainTemperatureKey, "-1"}});
  CHECK_THAT(one_line(colorize_with(hot), "colorize"),
             Contains(hot + ": its metadata train.temperature is '-1', not a number in (0, 10]"));

  const std::string classifier = save_classifier(dir);
  const AppRun mixed = colorize_with(classifier);
  CHECK(mixed.status == 1);
  CHECK(one_line(mixed, "colorize") ==
        "colorize: " + classifier +
            " is a train_classifier checkpoint (an image classifier), not a colorizer: give one "
            "written by train_colorizer (a classifier goes to evaluate --classifier)\n");
  const std::string prior = save_a_prior(dir);
  CHECK_THAT(one_line(colorize_with(prior), "colorize"),
             Contains(prior + " is a colour prior (written by compute_prior or train_colorizer), "
                              "not a model checkpoint"));

  write_scenes(dir.path / "data" / "test" / "red", 2);
  const std::string data = " --device cpu --size 16 --data " + (dir.path / "data").string() +
                           " --out " + dir.file("eval");
  const AppRun as_checkpoint =
      run_app_binary(evaluate, "--checkpoint " + classifier + data, dir.path);
  CHECK(as_checkpoint.status == 1);
  CHECK_THAT(one_line(as_checkpoint, "evaluate"), Contains("is a train_classifier checkpoint"));
  const std::string colorizer = save_colorizer(dir, "net.safetensors");
  const AppRun as_classifier =
      run_app_binary(evaluate, "--baseline gray --classifier " + colorizer + data, dir.path);
  CHECK(as_classifier.status == 1);
  CHECK(one_line(as_classifier, "evaluate") ==
        "evaluate: " + colorizer +
            " is a train_colorizer checkpoint (a colorization network), not an image "
            "classifier: give one written by train_classifier\n");
  CHECK_THAT(one_line(run_app_binary(evaluate, "--baseline gray --classifier " + prior + data,
                                     dir.path),
                      "evaluate"),
             Contains(prior + " is a colour prior"));
  CHECK_FALSE(fs::exists(dir.path / "eval"));
}

TEST_CASE("train_colorizer's summary names exactly the files it wrote", "[apps]") {
  const fs::path train = app_path("train_colorizer");
  if (!have(train)) return;
  TempDir dir;
  make_scene_folder(dir.path / "data", 8, 4);
  const std::string common = "--device cpu --threads 1 --size 16 --width 0.0625 --batch 4 "
                             "--iters 2 --data " +
                             (dir.path / "data").string();
  struct Case {
    std::string flags;
    std::set<std::string> files;
  };
  const std::vector<Case> cases = {
      {"--grid-images 0",
       {"metrics.csv", "prior.safetensors", "last.safetensors", "best.safetensors"}},
      {"--grid-images 2 --loss l2 --no-best", {"metrics.csv", "last.safetensors",
                                               "grid_epoch001.png"}},
  };
  for (size_t k = 0; k < cases.size(); ++k) {
    const fs::path out = dir.path / ("run" + std::to_string(k));
    const AppRun run =
        run_app_binary(train, common + " " + cases[k].flags + " --out " + out.string(), dir.path);
    INFO(cases[k].flags << "\n" << run.out << run.err);
    REQUIRE(run.status == 0);
    std::set<std::string> on_disk;
    for (const auto& entry : fs::directory_iterator(out))
      on_disk.insert(entry.path().filename().string());
    CHECK(on_disk == cases[k].files);
    // The summary's last line names each of them, and no other file.
    const std::string last_line = run.out.substr(run.out.rfind("wrote "));
    std::set<std::string> named;
    const std::regex file_name(R"([a-z_0-9]+\.(csv|safetensors|png))");
    for (std::sregex_iterator it(last_line.begin(), last_line.end(), file_name), end; it != end;
         ++it)
      named.insert(it->str());
    CHECK(named == cases[k].files);
    // The epoch's summary line is there with or without a grid.
    CHECK_THAT(run.out, Contains("epoch 1/1 step 2: train loss"));
  }
}
