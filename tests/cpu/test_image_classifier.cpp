// The classifiers for the experiments: models/vgg16.h against torchvision's state-dict names
// and shapes (tests/fixtures/vgg16_state_dict.txt, from make_vgg16_fixtures.py), forward
// shapes of VGG16 and small-vgg, the committed ImageNet class map, and apps/support/
// image_classifier.h: labels from paths, loading (small-vgg checkpoints, VGG16 weights with
// and without "model." prefix), predictions, and the errors.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "framework/tint.h"
#include "kernels/prior.h"
#include "image_classifier.h"
#include "models/small_vgg.h"
#include "models/vgg16.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::testing;
using tint::apps::ImageClassifier;
using Catch::Matchers::Contains;

namespace {

using Layout = std::vector<std::pair<std::string, Shape>>;

Layout read_layout(const std::string& name) {
  std::ifstream in(std::string(TINT_FIXTURE_DIR) + "/" + name);
  REQUIRE(in.good());
  Layout layout;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    Shape shape;
    for (int64_t d; fields >> d;) shape.push_back(d);
    layout.emplace_back(key, shape);
  }
  return layout;
}

Layout state_dict_layout(const nn::Module& m) {
  Layout layout;
  for (const auto& [name, t] : m.named_parameters()) layout.emplace_back(name, t.shape());
  for (const auto& [name, t] : m.named_buffers()) layout.emplace_back(name, t.shape());
  return layout;
}

// A w x h image of one colour.
apps::RgbImage solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  apps::RgbImage image(w, h);
  for (int i = 0; i < w * h; ++i) {
    image.pixels[3 * i] = r, image.pixels[3 * i + 1] = g, image.pixels[3 * i + 2] = b;
  }
  return image;
}

const std::string kClassMap = std::string(TINT_SOURCE_DIR) + "/data/imagenet_fruit_classes.json";

}  // namespace

TEST_CASE("label_from_path is the parent folder's name", "[classifier]") {
  CHECK(apps::label_from_path("banana/banana_0001.png") == "banana");
  CHECK(apps::label_from_path("train/banana/banana_0001.png") == "banana");
  CHECK(apps::label_from_path("/data/fruits/test/red_apple/x.jpg") == "red_apple");
  CHECK_THROWS_WITH(apps::label_from_path("banana_0001.png"),
                    Contains("banana_0001.png") && Contains("no parent folder"));
}

TEST_CASE("rgb8_to_classifier_input gives (B, 3, H, W) in [0, 1]", "[classifier]") {
  std::vector<uint8_t> px = {0, 51, 255, 102, 204, 153};  // (1, 1, 2, 3)
  const Tensor x = apps::rgb8_to_classifier_input(from_vector(px, {1, 1, 2, 3}));
  REQUIRE(x.shape() == Shape{1, 3, 1, 2});
  const std::vector<float> v = x.to_vector<float>();
  CHECK(v[0] == Approx(0.0));   // R of pixel 0
  CHECK(v[1] == Approx(0.4));   // R of pixel 1
  CHECK(v[2] == Approx(0.2));   // G of pixel 0
  CHECK(v[5] == Approx(0.6));   // B of pixel 1
  CHECK_THROWS_WITH(apps::rgb8_to_classifier_input(zeros({1, 2, 2, 3})), Contains("uint8"));
}

TEST_CASE("VGG16 has torchvision's state-dict names and shapes", "[classifier][models]") {
  const Layout reference = read_layout("vgg16_state_dict.txt");
  REQUIRE(reference.size() == 32);  // 13 convs and 3 Linears, weight and bias each
  Generator gen(1);
  models::Vgg16 vgg(1.0, gen);
  const Layout layout = state_dict_layout(vgg);
  REQUIRE(layout.size() == reference.size());
  for (size_t i = 0; i < layout.size(); ++i) {
    INFO("entry " << i);
    CHECK(layout[i].first == reference[i].first);
    CHECK(layout[i].second == reference[i].second);
  }
  CHECK(vgg.parameter_count() == 138357544);  // torchvision's documented count
  // A tiny input runs the whole network (features to 1x1, the adaptive pool repeats it to 7x7).
  vgg.eval();
  NoGradGuard no_grad;
  const Tensor logits = vgg(rand({2, 3, 32, 32}, gen));
  CHECK(logits.shape() == Shape{2, models::Vgg16::kClasses});
  CHECK_THROWS_WITH(vgg(rand({1, 3, 16, 16}, gen)), Contains("Vgg16") && Contains(">= 32"));
}

TEST_CASE("small-vgg maps (N, 3, S, S) to logits; width scales its channels", "[classifier][models]") {
  Generator gen(2);
  models::SmallVgg half(37, 0.5, gen);
  CHECK(half(rand({3, 3, 64, 64}, gen)).shape() == Shape{3, 37});
  CHECK(half(rand({2, 3, 16, 16}, gen)).shape() == Shape{2, 37});
  // Width 0.5: convs 3-16, 16-32, 32-64, 64-64 (no bias), BN each, Linear 64-37.
  const int64_t convs = 3 * 16 * 9 + 16 * 32 * 9 + 32 * 64 * 9 + 64 * 64 * 9;
  const int64_t bns = 2 * (16 + 32 + 64 + 64);
  CHECK(half.parameter_count() == convs + bns + 64 * 37 + 37);
  CHECK(state_dict_layout(half).front().first == "features.0.weight");
  CHECK_THROWS_WITH(half(rand({1, 3, 20, 20}, gen)), Contains("multiples of 8"));
  CHECK_THROWS_WITH(models::SmallVgg(0, 1.0), Contains("num_classes"));
}

TEST_CASE("the committed class map names disjoint ImageNet classes per Fruits kind", "[classifier]") {
  const auto map = apps::read_class_map(kClassMap);
  CHECK(map.size() == 13);
  CHECK(map.at("banana") == std::vector<int64_t>{954});
  CHECK(map.at("green_apple") == std::vector<int64_t>{948});
  CHECK(map.at("corn") == std::vector<int64_t>{987, 998});
  CHECK(map.count("red_apple") == 0);  // excluded: ImageNet's only apple is Granny Smith
  CHECK(map.count("mandarin") == 0);   // excluded: would share 950 with orange
  TempDir dir;
  std::ofstream(dir.file("plain.json")) << R"({"banana": [954], "lemon": [951]})";
  CHECK(apps::read_class_map(dir.file("plain.json")).size() == 2);
  std::ofstream(dir.file("shared.json")) << R"({"orange": [950], "mandarin": [950]})";
  CHECK_THROWS_WITH(apps::read_class_map(dir.file("shared.json")),
                    Contains("shared.json") && Contains("950") && Contains("one kind"));
  std::ofstream(dir.file("range.json")) << R"({"banana": [1000]})";
  CHECK_THROWS_WITH(apps::read_class_map(dir.file("range.json")), Contains("[0, 1000)"));
  std::ofstream(dir.file("bad.json")) << "{banana";
  CHECK_THROWS_WITH(apps::read_class_map(dir.file("bad.json")),
                    Contains("bad.json") && Contains("not valid JSON"));
  CHECK_THROWS_WITH(apps::read_class_map(dir.file("missing.json")),
                    Contains("missing.json") && Contains("does not exist"));
}

TEST_CASE("a small-vgg checkpoint loads into an ImageClassifier that predicts its classes",
          "[classifier]") {
  TempDir dir;
  const std::vector<std::string> classes = {"blue", "green", "red"};
  Generator gen(3);
  models::SmallVgg model(3, 0.25, gen);
  // The Linear's bias decides every prediction: class 1.
  model.named_parameters().back().second.detach().data<float>()[1] = 100.0f;
  save_checkpoint(dir.file("c.safetensors"), model, nullptr,
                  apps::classifier_metadata(classes, 0.25, 16, "gen/colours"));
  const auto c = ImageClassifier::load(dir.file("c.safetensors"), "", Device::cpu());
  CHECK(c->describe() == "small-vgg x0.25, 3 classes, 16x16, trained on gen/colours");
  CHECK(c->input_size() == 16);
  CHECK(c->knows("red"));
  CHECK_FALSE(c->knows("kiwi"));
  // Any size in: resampled to 16x16 first; more images than one batch.
  std::vector<apps::RgbImage> images(40, solid(30, 20, 200, 10, 10));
  images[3] = solid(7, 9, 0, 0, 255);
  const std::vector<std::string> predicted = c->predict(images);
  REQUIRE(predicted.size() == 40);
  for (const std::string& p : predicted) CHECK(p == "green");
  // No images, no predictions.
  CHECK(c->predict({}).empty());
}

TEST_CASE("VGG16 weights with a class map predict kinds, else imagenet:<index>", "[classifier]") {
  TempDir dir;
  Generator gen(4);
  models::Vgg16 vgg(1.0 / 16, gen);  // torchvision's names, 1/16 of the channels
  Tensor bias = vgg.named_parameters().back().second;
  REQUIRE(vgg.named_parameters().back().first == "classifier.6.bias");
  bias.detach().data<float>()[954] = 1000.0f;  // banana
  save_safetensors(dir.file("plain.safetensors"), vgg.state_dict());
  StateDict prefixed;
  for (const auto& [name, t] : vgg.state_dict()) prefixed["model." + name] = t;
  save_safetensors(dir.file("prefixed.safetensors"), prefixed);
  for (const char* file : {"plain.safetensors", "prefixed.safetensors"}) {
    INFO(file);
    const auto c = ImageClassifier::load(dir.file(file), kClassMap, Device::cpu());
    CHECK(c->describe() == "VGG16 (ImageNet) x0.0625, 13 kinds mapped");
    CHECK(c->input_size() == 224);
    CHECK(c->knows("banana"));
    CHECK_FALSE(c->knows("red_apple"));
    CHECK(c->predict({solid(40, 30, 250, 220, 40)}) == std::vector<std::string>{"banana"});
  }
  bias.detach().data<float>()[954] = 0.0f;
  bias.detach().data<float>()[5] = 1000.0f;  // an ImageNet class no kind claims
  save_safetensors(dir.file("other.safetensors"), vgg.state_dict());
  const auto c = ImageClassifier::load(dir.file("other.safetensors"), kClassMap, Device::cpu());
  CHECK(c->predict({solid(8, 8, 1, 2, 3)}) == std::vector<std::string>{"imagenet:5"});
}

TEST_CASE("ImageClassifier::load names the file and what it expected", "[classifier]") {
  TempDir dir;
  Generator gen(5);
  // A tint checkpoint of something else (no classifier metadata).
  models::SmallVgg model(3, 0.25, gen);
  save_checkpoint(dir.file("plain.safetensors"), model, nullptr, {});
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("plain.safetensors"), "", Device::cpu()),
                    Contains("plain.safetensors") && Contains("not an image classifier"));
  // Metadata that does not fit the weights (4 classes claimed, 3 stored).
  save_checkpoint(dir.file("mismatch.safetensors"), model, nullptr,
                  apps::classifier_metadata({"a", "b", "c", "d"}, 0.25, 16, ""));
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("mismatch.safetensors"), "", Device::cpu()),
                    Contains("mismatch.safetensors") && Contains("do not fit"));
  // Not a tint checkpoint at all.
  save_safetensors(dir.file("raw.safetensors"), model.state_dict());
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("raw.safetensors"), "", Device::cpu()),
                    Contains("raw.safetensors"));
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("raw.safetensors"), "", Device::cpu()),
                    Contains("raw.safetensors is not a tint checkpoint: give a classifier written "
                             "by train_classifier, or VGG16 weights with --class-map"));
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("none.safetensors"), "", Device::cpu()),
                    Contains("none.safetensors") && Contains("does not exist"));
  // A colorizer or a colour prior where a classifier belongs: said as such.
  save_checkpoint(dir.file("colorizer.safetensors"), model, nullptr,
                  {{"train.model", "seed"}, {"train.width", "0.25"}});
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("colorizer.safetensors"), "", Device::cpu()),
                    Contains("colorizer.safetensors is a train_colorizer checkpoint (a "
                             "colorization network), not an image classifier"));
  color::save_prior(dir.file("prior.safetensors"),
                    color::prior_from_counts(full({color::kNumBins}, 1.0)));
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("prior.safetensors"), "", Device::cpu()),
                    Contains("prior.safetensors is a colour prior"));
  // Metadata out of the flags' ranges names the key.
  save_checkpoint(dir.file("wide.safetensors"), model, nullptr,
                  apps::classifier_metadata({"a", "b", "c"}, 1e300, 16, ""));
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("wide.safetensors"), "", Device::cpu()),
                    Contains("wide.safetensors: its metadata classifier.width is '1e+300', not a "
                             "number in (0, 8]"));
  // VGG16 mode: a missing class map, then weights that are no VGG16.
  CHECK_THROWS_WITH(
      ImageClassifier::load(dir.file("raw.safetensors"), dir.file("nomap.json"), Device::cpu()),
      Contains("nomap.json") && Contains("does not exist"));
  StateDict wrong = {{"features.0.weight", zeros({4, 3, 3, 3})}};
  save_safetensors(dir.file("wrong.safetensors"), wrong);
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("wrong.safetensors"), kClassMap, Device::cpu()),
                    Contains("wrong.safetensors") && Contains("VGG16"));
  CHECK_THROWS_WITH(ImageClassifier::load(dir.file("plain.safetensors"), kClassMap, Device::cpu()),
                    Contains("plain.safetensors") && Contains("VGG16"));
}
