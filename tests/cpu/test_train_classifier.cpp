// apps/support/classifier_trainer.h end to end on a generated folder: three classes told
// apart only by colour (a red, green or blue disk of random luma on grey noise, the three
// colours of equal luma), so the trained classifier scores >= 90 % on the test split and
// near chance once the same images are made grey. Also its outputs (metrics.csv, checkpoints,
// summary.json) and its errors for bad folders.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "classifier_trainer.h"
#include "framework/core/random_math.h"
#include "framework/tint.h"
#include "image_classifier.h"
#include "image_files.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

constexpr int kSide = 16;
const char* const kColours[] = {"blue", "green", "red"};

// Luma-free colour offsets (0.299 r + 0.587 g + 0.114 b = 0), scaled to +-90.
constexpr double kChroma[3][3] = {{-11.6, -11.6, 90.0}, {-90.0, 63.3, -90.0}, {90.0, -38.4, -38.4}};

uint8_t to_byte(double v) { return static_cast<uint8_t>(std::clamp(v, 0.0, 255.0) + 0.5); }

// Image `index` of colour k: grey noise, and a disk of radius 4-5 whose luma is random.
apps::RgbImage colour_image(int k, uint64_t index) {
  auto u = [&](uint64_t j) { return rnd::uniform(rnd::bits(1000 + k, index), j); };
  apps::RgbImage image(kSide, kSide);
  const double cx = 5 + 6 * u(0), cy = 5 + 6 * u(1), radius = 4 + u(2), luma = 100 + 50 * u(3);
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      uint8_t* p = image.at(x, y);
      const bool disk = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
      const double grey = 90 + 80 * u(10 + y * kSide + x);
      for (int c = 0; c < 3; ++c) p[c] = to_byte(disk ? luma + kChroma[k][c] : grey);
    }
  return image;
}

apps::RgbImage to_grey(const apps::RgbImage& image) {
  apps::RgbImage grey = image;
  for (size_t i = 0; i < grey.pixels.size(); i += 3) {
    const uint8_t y = to_byte(0.299 * image.pixels[i] + 0.587 * image.pixels[i + 1] +
                              0.114 * image.pixels[i + 2]);
    grey.pixels[i] = grey.pixels[i + 1] = grey.pixels[i + 2] = y;
  }
  return grey;
}

void write_image(const std::filesystem::path& path, const apps::RgbImage& image) {
  write_bytes(path, png(image.width, image.height, 3, image.pixels));
}

// root/<split>/<colour>/<n>.png with per class 24 train, 8 val, 12 test images.
void write_colour_folder(const std::filesystem::path& root) {
  const std::pair<const char*, int> splits[] = {{"train", 24}, {"val", 8}, {"test", 12}};
  uint64_t index = 0;
  for (const auto& [split, n] : splits)
    for (int k = 0; k < 3; ++k)
      for (int i = 0; i < n; ++i)
        write_image(root / split / kColours[k] / (std::to_string(i) + ".png"),
                    colour_image(k, index++));
}

apps::ClassifierTrainConfig quick_config(const TempDir& dir) {
  apps::ClassifierTrainConfig c;
  c.data = dir.file("data");
  c.out = dir.file("out");
  c.size = kSide;
  c.batch = 12;
  c.epochs = 12;
  c.lr = 1e-2;
  c.width = 0.25;
  c.seed = 3;
  c.threads = 1;
  return c;
}

const apps::ClassifierTrainHooks kQuiet{[](const std::string&) {}, false};

}  // namespace

TEST_CASE("train_classifier learns classes told apart only by colour", "[classifier][training]") {
  TempDir dir;
  write_colour_folder(dir.path / "data");
  const apps::ClassifierTrainConfig c = quick_config(dir);
  const apps::ClassifierTrainResult r = apps::train_classifier(c, kQuiet);
  CHECK(r.classes == std::vector<std::string>{"blue", "green", "red"});
  CHECK(r.train_images == 72);
  CHECK(r.test_images == 36);
  REQUIRE(r.history.size() == 12);
  CHECK(r.history.back().step == 12 * 6);
  CHECK(r.test_accuracy >= 0.9);
  CHECK(r.history.back().train_loss < r.history.front().train_loss);

  // Outputs: metrics.csv (a header and a row per epoch), checkpoints, summary.json.
  std::ifstream csv(dir.path / "out" / "metrics.csv");
  std::string header;
  std::getline(csv, header);
  CHECK(header == "epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,images_per_s");
  int rows = 0;
  for (std::string line; std::getline(csv, line);) rows += !line.empty();
  CHECK(rows == 12);
  CHECK(std::filesystem::exists(dir.path / "out" / "last.safetensors"));
  std::ifstream summary_file(dir.path / "out" / "summary.json");
  const nlohmann::json summary = nlohmann::json::parse(summary_file);
  CHECK(summary["classes"].get<std::vector<std::string>>() == r.classes);
  CHECK(summary["test_accuracy"].get<double>() == r.test_accuracy);
  CHECK(summary["epochs"].get<int>() == 12);
  CHECK(summary["size"].get<int>() == kSide);
  CHECK(summary["train_images"].get<int>() == 72);
  CHECK(summary["seconds"].get<double>() > 0);

  // best.safetensors through ImageClassifier: the reported accuracy in colour; near chance
  // on the same images made grey (the colours have equal luma).
  const auto classifier = apps::ImageClassifier::load(dir.file("out/best.safetensors"), "",
                                                      Device::cpu());
  CHECK(classifier->describe() == "small-vgg x0.25, 3 classes, 16x16, trained on " + c.data);
  std::vector<apps::RgbImage> colour, grey;
  std::vector<std::string> truth;
  uint64_t index = 3 * (24 + 8);
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 12; ++i) {
      colour.push_back(colour_image(k, index++));
      grey.push_back(to_grey(colour.back()));
      truth.push_back(kColours[k]);
    }
  auto accuracy = [&](const std::vector<apps::RgbImage>& images) {
    const std::vector<std::string> p = classifier->predict(images);
    int right = 0;
    for (size_t i = 0; i < p.size(); ++i) right += p[i] == truth[i];
    return static_cast<double>(right) / static_cast<double>(p.size());
  };
  const double colour_accuracy = accuracy(colour), grey_accuracy = accuracy(grey);
  CHECK(colour_accuracy == Approx(r.test_accuracy));
  CHECK(grey_accuracy < 0.6);
  CHECK(grey_accuracy <= colour_accuracy - 0.3);
}

TEST_CASE("train_classifier names the bad folder or label", "[classifier][training]") {
  TempDir dir;
  apps::ClassifierTrainConfig c = quick_config(dir);
  c.epochs = 1;
  CHECK_THROWS_WITH(apps::train_classifier(c, kQuiet), Contains(c.data) && Contains("does not exist"));
  // Split folders without train/.
  write_image(dir.path / "data" / "val" / "red" / "0.png", colour_image(2, 0));
  write_image(dir.path / "data" / "test" / "red" / "0.png", colour_image(2, 1));
  CHECK_THROWS_WITH(apps::train_classifier(c, kQuiet), Contains("no train/ subfolder"));
  // A val label the training split lacks.
  for (int i = 0; i < 12; ++i) {
    write_image(dir.path / "data" / "train" / "red" / (std::to_string(i) + ".png"), colour_image(2, 10 + i));
    write_image(dir.path / "data" / "train" / "blue" / (std::to_string(i) + ".png"), colour_image(0, 10 + i));
  }
  write_image(dir.path / "data" / "val" / "kiwi" / "0.png", colour_image(1, 0));
  CHECK_THROWS_WITH(apps::train_classifier(c, kQuiet),
                    Contains("val split") && Contains("'kiwi'") && Contains("training split lacks"));
  std::filesystem::remove_all(dir.path / "data" / "val" / "kiwi");
  // An image directly in a split folder has no class.
  write_image(dir.path / "data" / "test" / "loose.png", colour_image(1, 1));
  CHECK_THROWS_WITH(apps::train_classifier(c, kQuiet),
                    Contains("loose.png") && Contains("directly in its split folder"));
  std::filesystem::remove(dir.path / "data" / "test" / "loose.png");
  // One class only.
  std::filesystem::remove_all(dir.path / "data" / "train" / "blue");
  CHECK_THROWS_WITH(apps::train_classifier(c, kQuiet), Contains("only one class ('red')"));
  // Nothing was written for any of these.
  CHECK_FALSE(std::filesystem::exists(dir.path / "out"));
}

TEST_CASE("train_classifier stops when the loss diverges and keeps no diverged model",
          "[classifier][training]") {
  TempDir dir;
  write_colour_folder(dir.path / "data");
  apps::ClassifierTrainConfig c = quick_config(dir);
  c.epochs = 2;
  // What a far too high lr does (--lr is at most 1, and no lr in range diverges this small
  // run reliably): the first step leaves a weight NaN, so the next loss is NaN.
  std::vector<std::string> lines;
  apps::ClassifierTrainHooks hooks{[&](const std::string& l) { lines.push_back(l); }, false};
  hooks.after_step = [](nn::Module& model) {
    NoGradGuard no_grad;
    model.named_parameters().front().second.fill_(std::nan(""));
  };
  CHECK_THROWS_WITH(apps::train_classifier(c, hooks),
                    Contains("the training loss became") && Contains("at step 2") &&
                        Contains("lower --lr"));
  // The run stopped in its first epoch: no checkpoint, no summary, no test accuracy.
  const std::filesystem::path out = dir.path / "out";
  CHECK_FALSE(std::filesystem::exists(out / "best.safetensors"));
  CHECK_FALSE(std::filesystem::exists(out / "last.safetensors"));
  CHECK_FALSE(std::filesystem::exists(out / "summary.json"));
  for (const std::string& line : lines) CHECK_THAT(line, !Contains("(best)"));
}

TEST_CASE("train_classifier never replaces an earlier run by surprise, and stops when asked",
          "[classifier][training]") {
  TempDir dir;
  write_colour_folder(dir.path / "data");
  apps::ClassifierTrainConfig c = quick_config(dir);
  c.epochs = 1;
  apps::train_classifier(c, kQuiet);
  const std::string summary = dir.file("out/summary.json");
  const auto summary_time = std::filesystem::last_write_time(summary);

  CHECK_THROWS_WITH(apps::train_classifier(c, kQuiet),
                    Contains("the output folder " + c.out + " already holds a run") &&
                        Contains("replace it with --overwrite") && !Contains("--resume"));
  CHECK(std::filesystem::last_write_time(summary) == summary_time);

  // An output folder inside the data folder is refused before anything is written.
  apps::ClassifierTrainConfig inside = c;
  inside.out = dir.file("data/out");
  CHECK_THROWS_WITH(apps::train_classifier(inside, kQuiet), Contains("is inside --data"));
  CHECK_FALSE(std::filesystem::exists(inside.out));

  // --overwrite and a stop after the third step: last.safetensors holds that step, and the
  // earlier run's best and summary are gone (they were another run's).
  c.overwrite = true;
  apps::ClassifierTrainHooks stopping = kQuiet;
  int polls = 0;
  stopping.should_stop = [&] { return ++polls == 3; };
  const apps::ClassifierTrainResult r = apps::train_classifier(c, stopping);
  CHECK(r.interrupted);
  CHECK(r.steps == 3);
  const Checkpoint last = read_checkpoint(dir.file("out/last.safetensors"));
  CHECK(last.step == 3);
  CHECK(last.extra.at("epoch") == "0");
  CHECK_FALSE(std::filesystem::exists(summary));
  CHECK_FALSE(std::filesystem::exists(dir.file("out/best.safetensors")));
}
