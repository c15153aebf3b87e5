// apps/evaluate's work (apps/support/evaluation.h): the scores on hand-made ab (pooled and
// class-rebalanced AuC, per-image cumulative errors, chroma), and whole evaluations on a
// folder the test writes: truth scores 100 %, gray scores the truth's own chroma, random is a
// function of its seed, a tiny network from a checkpoint, the written files, and the errors.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/support/colorize_image.h"
#include "apps/support/evaluation.h"
#include "apps/support/image_classifier.h"
#include "framework/io/metadata.h"
#include "framework/tint.h"
#include "kernels/metrics.h"
#include "models/registry.h"
#include "models/small_vgg.h"
#include "image_files.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::apps;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using tint::testing::TempDir;

// (1, 2, 10, 10) ab: the first `first` pixels at (a0, b0), the others at (a1, b1).
Tensor two_colour_ab(int first, float a0, float b0, float a1, float b1) {
  std::vector<float> v(200);
  for (int k = 0; k < 100; ++k) {
    v[k] = k < first ? a0 : a1;
    v[100 + k] = k < first ? b0 : b1;
  }
  return from_vector(v, {1, 2, 10, 10});
}

// A colourful 20x20 PNG, different per (kind, n); a few pixels grey.
void write_picture(const fs::path& path, int kind, int n) {
  std::vector<uint8_t> px(20 * 20 * 3);
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 20; ++x) {
      uint8_t* p = &px[(y * 20 + x) * 3];
      p[0] = static_cast<uint8_t>(40 + (kind * 90 + x * 7 + n * 13) % 200);
      p[1] = static_cast<uint8_t>(40 + (kind * 50 + y * 9 + n * 5) % 200);
      p[2] = static_cast<uint8_t>(40 + (kind * 70 + (x + y) * 3) % 180);
      if (x == y) p[1] = p[2] = p[0];
    }
  tint::testing::write_bytes(path, tint::testing::png(20, 20, 3, px));
}

// data/{train,test}/{red,blue}/img_N.png
std::string make_folder(const TempDir& dir) {
  const fs::path root = dir.path / "data";
  for (const char* split : {"train", "test"})
    for (int kind = 0; kind < 2; ++kind)
      for (int n = 0; n < 3; ++n)
        write_picture(root / split / (kind ? "blue" : "red") / ("img_" + std::to_string(n) + ".png"),
                      kind + (split[1] == 'e' ? 2 : 0), n);
  return root.string();
}

EvaluateConfig config_for(const std::string& data, const std::string& out) {
  EvaluateConfig c;
  c.data = data;
  c.out = out;
  c.size = 16;
  c.device = "cpu";
  c.batch = 4;
  c.threads = 1;
  c.log = [](const std::string&) {};
  return c;
}

}  // namespace

TEST_CASE("cumulative_within counts values <= each integer threshold", "[evaluation]") {
  const std::vector<double> within = cumulative_within({0.0, 0.5, 3.0, 200.0});
  REQUIRE(within.size() == 151);
  CHECK(within[0] == Approx(0.25));
  CHECK(within[1] == Approx(0.5));
  CHECK(within[2] == Approx(0.5));
  CHECK(within[3] == Approx(0.75));
  CHECK(within[150] == Approx(0.75));
}

TEST_CASE("the class-rebalanced AuC counts every colour class equally", "[evaluation]") {
  // 90 pixels of a grey-ish class predicted exactly, 10 saturated pixels predicted 226 away.
  const Tensor truth = two_colour_ab(90, 0, 0, 80, 80);
  const Tensor pred = two_colour_ab(90, 0, 0, -80, -80);
  EvaluationResult r;
  score_ab(pred, truth, r);
  CHECK(r.auc_pooled == Approx(0.9));
  CHECK(r.auc_rebalanced == Approx(0.5));
  CHECK(r.auc_per_image_mean == Approx(0.9));
  CHECK(r.per_image.size() == 1);
  CHECK(r.mean_error == Approx(0.1 * std::hypot(160.0, 160.0)));
  CHECK(r.chroma_true == Approx(0.1 * std::hypot(80.0, 80.0)));
  CHECK(r.chroma_pred == Approx(r.chroma_true));
  // The image's mean error (22.6) is within t from t = 23.
  CHECK(r.images_within[22] == 0.0);
  CHECK(r.images_within[23] == 1.0);

  // Weights are 1 / class count.
  const std::vector<double> w = class_rebalanced_weights(truth).to_vector<double>();
  CHECK(w[0] == Approx(1.0 / 90));
  CHECK(w[99] == Approx(1.0 / 10));
}

TEST_CASE("evaluating the truth, gray and random baselines on a folder", "[evaluation]") {
  TempDir dir;
  const std::string data = make_folder(dir);

  EvaluateConfig truth_cfg = config_for(data, dir.file("truth"));
  truth_cfg.baseline = "truth";
  const EvaluationResult truth = evaluate_colorization(truth_cfg);
  CHECK(truth.images == 6);
  CHECK(truth.auc_pooled == Approx(1.0));
  CHECK(truth.auc_rebalanced == Approx(1.0));
  CHECK(truth.mean_error == Approx(0.0).margin(1e-6));
  CHECK(truth.chroma_true > 10);
  CHECK(fs::exists(dir.path / "truth" / "images" / "red" / "img_0.png"));
  CHECK(truth.per_image[0].id == "blue/img_0.png");

  EvaluateConfig gray_cfg = config_for(data, dir.file("gray"));
  gray_cfg.baseline = "gray";
  gray_cfg.save_images = false;
  const EvaluationResult gray = evaluate_colorization(gray_cfg);
  CHECK(gray.auc_pooled < 0.95);
  CHECK(gray.chroma_pred == 0.0);
  // Gray's error is the truth's chroma.
  CHECK(gray.mean_error == Approx(truth.chroma_true).epsilon(1e-5));
  CHECK_FALSE(fs::exists(dir.path / "gray" / "images"));

  EvaluateConfig random_cfg = config_for(data, dir.file("random"));
  random_cfg.baseline = "random";
  random_cfg.seed = 3;
  const EvaluationResult r1 = evaluate_colorization(random_cfg);
  const EvaluationResult r2 = evaluate_colorization(random_cfg);
  CHECK(r1.auc_pooled == r2.auc_pooled);
  CHECK(r1.chroma_pred > 10);  // colours of training images, not grey
  CHECK(r1.auc_pooled != gray.auc_pooled);
  random_cfg.seed = 4;
  bool differs = false;
  for (uint64_t seed = 4; seed < 10 && !differs; ++seed) {
    random_cfg.seed = seed;
    differs = evaluate_colorization(random_cfg).mean_error != r1.mean_error;
  }
  CHECK(differs);

  write_evaluation(gray, gray_cfg);
  std::ifstream summary(dir.path / "gray" / "summary.json");
  const nlohmann::json j = nlohmann::json::parse(summary);
  CHECK(j["method"] == "gray");
  CHECK(j["images"] == 6);
  CHECK(j["auc_pooled"].get<double>() == Approx(gray.auc_pooled));
  CHECK(j["classifier_accuracy"].is_null());
  std::ifstream per_image(dir.path / "gray" / "per_image.csv");
  std::string line;
  int rows = 0;
  std::getline(per_image, line);
  CHECK(line == "id,auc,mean_error,chroma_pred,chroma_true,label,predicted");
  while (std::getline(per_image, line)) ++rows;
  CHECK(rows == 6);
  std::ifstream cumulative(dir.path / "gray" / "cumulative.csv");
  rows = 0;
  while (std::getline(cumulative, line)) ++rows;
  CHECK(rows == 152);
  CHECK(fs::file_size(dir.path / "gray" / "cumulative.png") > 1000);
}

TEST_CASE("evaluating a colorizer checkpoint", "[evaluation]") {
  TempDir dir;
  const std::string data = make_folder(dir);
  Generator gen(5);
  auto model = models::make_model("seed", models::Head::Classification, 0.0625, gen);
  const std::string ckpt = dir.file("net.safetensors");
  save_checkpoint(ckpt, *model, nullptr,
                  {{kModelKey, "seed"}, {kHeadKey, "classification"}, {kWidthKey, "0.0625"},
                   {kTrainSizeKey, "16"}, {kTrainLossKey, "class-rebal"}});
  EvaluateConfig c = config_for(data, dir.file("net"));
  c.checkpoint = ckpt;
  c.size.reset();  // not given: the checkpoint's
  const EvaluationResult r = evaluate_colorization(c);
  CHECK(r.size == 16);
  CHECK(r.method == "checkpoint");
  CHECK(r.loss == "class-rebal");
  CHECK(r.images == 6);
  CHECK(r.auc_pooled > 0.0);
  CHECK(r.auc_pooled < 1.0);
  CHECK(r.temperature == Approx(0.38));
}

// A small-vgg classifier of these classes whose Linear bias makes it always answer `answer`.
std::string save_constant_classifier(const TempDir& dir, const std::vector<std::string>& classes,
                                     int answer) {
  Generator gen(11);
  models::SmallVgg model(static_cast<int64_t>(classes.size()), 0.25, gen);
  model.named_parameters().back().second.detach().data<float>()[answer] = 100.0f;
  const std::string path = dir.file("classifier_" + std::to_string(answer) + ".safetensors");
  save_checkpoint(path, model, nullptr, classifier_metadata(classes, 0.25, 16, "test"));
  return path;
}

TEST_CASE("classifier accuracy counts the colorized images whose label it predicts",
          "[evaluation]") {
  TempDir dir;
  const std::string data = make_folder(dir);  // test/: 3 blue, 3 red
  EvaluateConfig c = config_for(data, dir.file("truth"));
  c.baseline = "truth";
  c.classifier = save_constant_classifier(dir, {"blue", "red"}, 1);  // always "red"
  const EvaluationResult r = evaluate_colorization(c);
  REQUIRE(r.classifier_accuracy.has_value());
  CHECK(*r.classifier_accuracy == Approx(0.5));
  CHECK(r.classifier_images == 6);
  CHECK(r.classifier_unknown == 0);
  CHECK(r.per_image[0].label == "blue");
  CHECK(r.per_image[0].predicted == "red");
  CHECK(r.per_image[5].label == "red");
  write_evaluation(r, c);
  std::ifstream summary(dir.path / "truth" / "summary.json");
  const nlohmann::json j = nlohmann::json::parse(summary);
  CHECK(j["classifier_accuracy"].get<double>() == Approx(0.5));

  // A classifier that does not know "blue": those images are counted, not scored.
  c.classifier = save_constant_classifier(dir, {"green", "red"}, 1);
  const EvaluationResult known_only = evaluate_colorization(c);
  CHECK(known_only.classifier_unknown == 3);
  CHECK(known_only.classifier_images == 3);
  CHECK(*known_only.classifier_accuracy == Approx(1.0));
}

TEST_CASE("evaluate's bad inputs are clear errors", "[evaluation]") {
  TempDir dir;
  const std::string data = make_folder(dir);
  EvaluateConfig c = config_for(data, dir.file("out"));
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("give a checkpoint or a baseline"));
  c.baseline = "sepia";
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("unknown baseline 'sepia'"));
  c.baseline = "gray";
  c.checkpoint = dir.file("x.safetensors");
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("not both"));
  c.checkpoint.clear();
  c.size = 12;
  CHECK_THROWS_WITH(evaluate_colorization(c),
                    Contains("--size must be a multiple of 8 in [8, 4096], got 12"));
  // 0 is an error, not "the default" (leaving size unset is).
  c.size = 0;
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("--size must be a multiple of 8"));
  c.size = 16;
  c.temperature = 0;
  CHECK_THROWS_WITH(evaluate_colorization(c),
                    Contains("--temperature must be a number in (0, 10], got 0"));
  c.temperature.reset();
  c.batch = 0;
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("--batch must be a whole number in [1, "));
  c.batch = 4;
  c.data = dir.file("missing");
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("missing"));
  c.data = data;
  c.checkpoint = dir.file("absent.safetensors");
  c.baseline.clear();
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("absent.safetensors"));
  c.checkpoint.clear();
  c.baseline = "gray";
  c.classifier = dir.file("no_classifier.safetensors");
  CHECK_THROWS_WITH(evaluate_colorization(c), Contains("no_classifier.safetensors"));
  CHECK_FALSE(fs::exists(dir.path / "out"));
}
