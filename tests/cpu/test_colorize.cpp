// The colorize app's work (apps/support/colorize_image.h) end to end on files the test
// writes: tiny randomly initialised networks saved as checkpoints colorize odd-sized colour
// and grey PNGs; the output keeps the input's size and its lightness, and carries the
// network's ab; folders, --compare panels, plain-weights files, and the errors (missing
// checkpoint, input or metadata, image-less folder, unreadable files alone or among
// others); hostile inputs (a 1 x 20000 PNG under --keep-aspect, images over --max-pixels,
// FIFOs, NaN weights, symlink loops). Needs tint_tests linked with tint_app_support.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "apps/support/augment.h"
#include "apps/support/colorize_image.h"
#include "apps/support/image_classifier.h"
#include "apps/support/image_folder.h"
#include "framework/io/metadata.h"
#include "framework/tint.h"
#include "kernels/lab.h"
#include "kernels/prior.h"
#include "models/registry.h"
#include "models/small_vgg.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::apps;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

using tint::testing::TempDir;

// A smooth colourful test picture (mid lightness, so the colorized pixels stay in gamut).
RgbImage colour_picture(int width, int height) {
  RgbImage image(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = image.at(x, y);
      p[0] = static_cast<uint8_t>(60 + 140 * x / std::max(1, width - 1));
      p[1] = static_cast<uint8_t>(70 + 120 * y / std::max(1, height - 1));
      p[2] = static_cast<uint8_t>(90 + 60 * ((x + y) % 5) / 4);
    }
  return image;
}

RgbImage grey_picture(int width, int height) {
  RgbImage image(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = image.at(x, y);
      p[0] = p[1] = p[2] = static_cast<uint8_t>(50 + 150 * (x + 2 * y) / (width + 2 * height));
    }
  return image;
}

Tensor lab_of(const RgbImage& image) {
  return color::rgb8_to_lab(
      from_buffer(image.pixels.data(), {image.height, image.width, 3}, DType::UInt8));
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.contiguous().to_vector<double>(),
                            y = b.contiguous().to_vector<double>();
  REQUIRE(x.size() == y.size());
  double m = 0;
  for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
  return m;
}

// A tiny network saved as the trainer saves it (model, head and width in the metadata).
std::string save_tiny(const TempDir& dir, const std::string& name, models::Head head,
                      bool with_metadata = true, double width = 0.0625) {
  Generator gen(7);
  auto model = models::make_model(name, head, width, gen);
  const std::string path = dir.file(name + "_" + models::head_name(head) + ".safetensors");
  std::map<std::string, std::string> meta;
  if (with_metadata)
    meta = {{kModelKey, name}, {kHeadKey, models::head_name(head)},
            {kWidthKey, format_metadata_number(width)}};
  save_checkpoint(path, *model, nullptr, meta);
  return path;
}

ColorizeRun quiet_run(const std::string& checkpoint, const std::vector<std::string>& inputs,
                      const std::string& out, std::vector<std::string>* warnings = nullptr) {
  ColorizeRun run;
  run.checkpoint = checkpoint;
  run.inputs = inputs;
  run.out = out;
  run.device = "cpu";
  run.options.size = 16;  // small and fast: the network predicts ab on a 4 x 4 grid
  run.info = [](const std::string&) {};
  run.warn = [warnings](const std::string& line) {
    if (warnings) warnings->push_back(line);
  };
  return run;
}

// The prediction colorize_image should have joined to the image's L, computed here step by
// step: the image resampled to the network's size, its L through the model, the decoded ab
// upsampled bilinearly to the image's size.
Tensor expected_ab(models::ColorizerModel& model, const RgbImage& image, int size) {
  NoGradGuard no_grad;
  const RgbImage small = resample(image, Region{0, 0, double(image.width), double(image.height)},
                                  size, size);
  const Tensor L = lab_of(small).slice(1, 0, 1).contiguous();
  const Tensor ab = model.decode(model.forward(L));
  return upsample_bilinear2d(ab, UpsampleSize::size(image.height, image.width));
}

}  // namespace

TEST_CASE("colorize: an odd-sized PNG keeps its size and lightness, and gets the network's ab",
          "[colorize]") {
  TempDir dir;
  for (const std::string name : {"seed", "eccv16"}) {
    for (const models::Head head : {models::Head::Classification, models::Head::Regression}) {
      INFO(name << " " << models::head_name(head));
      const std::string ckpt = save_tiny(dir, name, head);
      const RgbImage input = colour_picture(37, 23);
      write_png(dir.file("photo.png"), input);
      const std::string out = dir.file("out_" + name + models::head_name(head));
      const ColorizeResult result = colorize_files(quiet_run(ckpt, {dir.file("photo.png")}, out));
      REQUIRE(result.written == std::vector<std::string>{(fs::path(out) / "photo.png").string()});
      REQUIRE(result.skipped.empty());

      const std::optional<RgbImage> colour = decode_image(result.written[0]);
      REQUIRE(colour.has_value());
      CHECK(colour->width == 37);
      CHECK(colour->height == 23);
      const Tensor in_lab = lab_of(input), out_lab = lab_of(*colour);
      // L is the input's own, up to the uint8 rounding of the output's RGB.
      CHECK(max_abs_diff(in_lab.slice(1, 0, 1), out_lab.slice(1, 0, 1)) < 1.0);
      // ab is the network's prediction (the same rounding; the test picture stays in gamut).
      LoadedColorizer loaded = load_colorizer(ckpt, {}, Device::cpu());
      const Tensor ab = expected_ab(*loaded.model, input, 16);
      CHECK(max_abs_diff(out_lab.slice(1, 1, 3), ab) < 2.0);
      // and not the input's colours: a random network does not guess them
      CHECK(max_abs_diff(out_lab.slice(1, 1, 3), in_lab.slice(1, 1, 3)) > 2.0);
    }
  }
}

TEST_CASE("colorize: grey inputs, folders mirrored, compare panels", "[colorize]") {
  TempDir dir;
  const std::string ckpt = save_tiny(dir, "seed", models::Head::Classification);
  const RgbImage grey = grey_picture(30, 17), colour = colour_picture(21, 40);
  fs::create_directories(dir.path / "in" / "sub");
  write_png(dir.file("in/grey.png"), grey);
  write_png(dir.file("in/sub/colour.png"), colour);

  ColorizeRun run = quiet_run(ckpt, {dir.file("in")}, dir.file("out"));
  run.compare = true;
  const ColorizeResult result = colorize_files(run);
  REQUIRE(result.written.size() == 2);
  CHECK(result.written[0] == dir.file("out/grey.png"));
  CHECK(result.written[1] == dir.file("out/sub/colour.png"));

  const std::optional<RgbImage> g = decode_image(dir.file("out/grey.png"));
  REQUIRE(g.has_value());
  CHECK((g->width == 30 && g->height == 17));
  CHECK(max_abs_diff(lab_of(grey).slice(1, 0, 1), lab_of(*g).slice(1, 0, 1)) < 1.0);
  CHECK_FALSE(is_grey(*g));  // the network's ab on a grey input: colour

  // Panels: grey input | colorized (+ | original for a colour input), 8 white columns apart.
  std::optional<RgbImage> gp = decode_image(dir.file("out/grey_compare.png"));
  std::optional<RgbImage> cp = decode_image(dir.file("out/sub/colour_compare.png"));
  REQUIRE((gp.has_value() && cp.has_value()));
  CHECK((gp->width == 2 * 30 + 8 && gp->height == 17));
  CHECK((cp->width == 3 * 21 + 2 * 8 && cp->height == 40));
  RgbImage original = colour_picture(21, 40);  // the third panel is the input itself
  CHECK(std::equal(cp->at(2 * 21 + 16, 5), cp->at(2 * 21 + 16, 5) + 3, original.at(0, 5)));
  // The grey panel is the input's L with a = b = 0 (up to uint8 rounding).
  const Tensor gl = lab_of(grey_image(colour));
  CHECK(max_abs_diff(gl.slice(1, 1, 3), zeros({1, 2, 40, 21})) < 1.0);
  CHECK(max_abs_diff(gl.slice(1, 0, 1), lab_of(colour).slice(1, 0, 1)) < 1.0);
}

TEST_CASE("colorize: the network input size", "[colorize]") {
  ColorizeOptions options;
  options.size = 176;
  CHECK(network_input_size(640, 480, options) == std::pair<int, int>{176, 176});
  options.keep_aspect = true;
  CHECK(network_input_size(640, 480, options) == std::pair<int, int>{232, 176});  // 234.7 -> 232
  options.size = 16;
  CHECK(network_input_size(37, 23, options) == std::pair<int, int>{24, 16});
  CHECK(network_input_size(23, 37, options) == std::pair<int, int>{16, 24});
  options.size = 20;
  CHECK_THROWS_WITH(network_input_size(37, 23, options), Contains("multiple of 8"));

  TempDir dir;
  const std::string ckpt = save_tiny(dir, "seed", models::Head::Classification);
  write_png(dir.file("wide.png"), colour_picture(37, 23));
  ColorizeRun run = quiet_run(ckpt, {dir.file("wide.png")}, dir.file("out"));
  run.options.keep_aspect = true;
  colorize_files(run);
  const std::optional<RgbImage> out = decode_image(dir.file("out/wide.png"));
  REQUIRE(out.has_value());
  CHECK((out->width == 37 && out->height == 23));
}

TEST_CASE("colorize: plain weights need --model and --head; metadata wins over flags",
          "[colorize]") {
  TempDir dir;
  write_png(dir.file("a.png"), colour_picture(9, 11));
  // A plain state dict (e.g. converted weights), no tint checkpoint metadata.
  Generator gen(3);
  auto model = models::make_model("eccv16", models::Head::Classification, 0.0625, gen);
  save_safetensors(dir.file("plain.safetensors"), model->state_dict());
  ColorizeRun run = quiet_run(dir.file("plain.safetensors"), {dir.file("a.png")}, dir.file("o"));
  CHECK_THROWS_WITH(colorize_files(run), Contains("plain.safetensors") && Contains("--model"));
  run.spec.model = "eccv16";
  run.spec.head = "classification";
  CHECK_THROWS_WITH(colorize_files(run), Contains("cannot load it as eccv16"));  // width 1
  run.spec.width = 0.0625;
  CHECK(colorize_files(run).written.size() == 1);

  // A checkpoint without the metadata: the flags stand in.
  const std::string bare = save_tiny(dir, "seed", models::Head::Classification, false);
  ColorizeRun r2 = quiet_run(bare, {dir.file("a.png")}, dir.file("o2"));
  CHECK_THROWS_WITH(colorize_files(r2), Contains("does not name its model") && Contains("--model"));
  r2.spec = {"seed", "classification", 0.0625};
  CHECK(colorize_files(r2).written.size() == 1);

  // With the metadata a contradicting flag is an error; an agreeing one is fine.
  const std::string full = save_tiny(dir, "seed", models::Head::Regression);
  ColorizeRun r3 = quiet_run(full, {dir.file("a.png")}, dir.file("o3"));
  r3.spec.model = "eccv16";
  CHECK_THROWS_WITH(colorize_files(r3), Contains("holds model seed") && Contains("--model"));
  r3.spec = {"seed", "regression", 0.0625};
  CHECK(colorize_files(r3).written.size() == 1);
}

TEST_CASE("colorize: train_colorizer's metadata names the model, head, size and temperature",
          "[colorize]") {
  TempDir dir;
  Generator gen(5);
  auto model = models::make_model("eccv16", models::Head::Regression, 0.0625, gen);
  const std::string ckpt = dir.file("last.safetensors");
  save_checkpoint(ckpt, *model, nullptr,
                  {{kTrainModelKey, "eccv16"}, {kTrainWidthKey, "0.0625"},
                   {kTrainLossKey, "l2"}, {kTrainSizeKey, "24"},
                   {kTrainTemperatureKey, "0.5"}, {"train.seed", "3"}});
  LoadedColorizer loaded = load_colorizer(ckpt, {}, Device::cpu());
  CHECK(loaded.model->name() == "eccv16");
  CHECK(loaded.model->head() == models::Head::Regression);
  CHECK(loaded.model->width() == 0.0625);
  CHECK(loaded.trained_size == 24);
  CHECK(loaded.trained_temperature == 0.5);
  CHECK_FALSE(loaded.model->is_training());
  CHECK_THROWS_WITH(load_colorizer(ckpt, {std::nullopt, "classification", std::nullopt},
                                   Device::cpu()),
                    Contains("holds head regression (its loss is l2)"));
  // A train.size or train.temperature out of the flags' ranges is named with the checkpoint
  // and the key when it is loaded (not later as "the network input size ... got 0").
  for (const auto& [key, value, expected] : std::vector<std::array<std::string, 3>>{
           {kTrainSizeKey, "0", "train.size is '0', not a multiple of 8 in [8, 4096]"},
           {kTrainSizeKey, "20", "train.size is '20', not a multiple of 8"},
           {kTrainTemperatureKey, "0", "train.temperature is '0', not a number in (0, 10]"},
           {kTrainTemperatureKey, "nan", "train.temperature is 'nan'"},
           {kTrainWidthKey, "1e300", "train.width is '1e300', not a number in (0, 8]"}}) {
    const std::string bad = dir.file("bad_" + key + "_" + value + ".safetensors");
    Metadata meta = {{kTrainModelKey, "eccv16"}, {kTrainWidthKey, "0.0625"},
                     {kTrainLossKey, "l2"}, {kTrainSizeKey, "24"}, {kTrainTemperatureKey, "0.5"}};
    meta[key] = value;
    save_checkpoint(bad, *model, nullptr, meta);
    CHECK_THROWS_WITH(load_colorizer(bad, {}, Device::cpu()),
                      StartsWith(bad + ": its metadata " + expected));
  }

  // The recorded size is used unless the size was given: 24 x 24 here, so the network's
  // ab grid is 6 x 6 (the check recomputes the prediction at that size).
  const RgbImage input = colour_picture(13, 19);
  write_png(dir.file("x.png"), input);
  ColorizeRun run = quiet_run(ckpt, {dir.file("x.png")}, dir.file("out"));
  run.size_from_checkpoint = true;
  std::vector<std::string> info;
  run.info = [&](const std::string& line) { info.push_back(line); };
  colorize_files(run);
  REQUIRE(info.size() == 1);
  CHECK_THAT(info[0], Contains("eccv16 (regression head, width 0.0625)") &&
                          Contains("network input 24"));
  const std::optional<RgbImage> out = decode_image(dir.file("out/x.png"));
  REQUIRE(out.has_value());
  CHECK(max_abs_diff(lab_of(*out).slice(1, 1, 3), expected_ab(*loaded.model, input, 24)) < 2.0);
}

TEST_CASE("colorize: errors name the file; unreadable images among several are skipped",
          "[colorize]") {
  TempDir dir;
  const std::string ckpt = save_tiny(dir, "seed", models::Head::Classification);
  write_png(dir.file("good.png"), colour_picture(12, 10));
  std::ofstream(dir.file("bad.png")) << "not a png";
  fs::create_directories(dir.path / "empty");
  std::ofstream(dir.file("not_a_checkpoint.safetensors")) << "garbage";

  const auto run_with = [&](const std::string& checkpoint, const std::vector<std::string>& in,
                            std::vector<std::string>* warnings = nullptr) {
    return colorize_files(quiet_run(checkpoint, in, dir.file("out"), warnings));
  };
  CHECK_THROWS_WITH(run_with(dir.file("missing.safetensors"), {dir.file("good.png")}),
                    Contains("missing.safetensors") && Contains("does not exist"));
  CHECK_THROWS_WITH(run_with(dir.file("not_a_checkpoint.safetensors"), {dir.file("good.png")}),
                    Contains("not_a_checkpoint.safetensors"));
  // Another tint file (a colour prior) is not taken for weights.
  save_safetensors(dir.file("prior.safetensors"), {{"p", zeros({313})}},
                   {{"tint.format", "tint-color-prior"}, {"tint.format_version", "1"}});
  CHECK_THROWS_WITH(run_with(dir.file("prior.safetensors"), {dir.file("good.png")}),
                    Contains("prior.safetensors is a tint-color-prior file, not a model"));
  // A real one, as compute_prior and train_colorizer write it.
  color::save_prior(dir.file("real_prior.safetensors"),
                    color::prior_from_counts(full({color::kNumBins}, 1.0)));
  CHECK_THROWS_WITH(run_with(dir.file("real_prior.safetensors"), {dir.file("good.png")}),
                    Contains("real_prior.safetensors is a colour prior (written by compute_prior "
                             "or train_colorizer), not a model checkpoint"));
  // A train_classifier checkpoint: said in one sentence, not a walk from --model to --width
  // to a state-dict error.
  models::SmallVgg classifier(2, 0.25);
  save_checkpoint(dir.file("classifier.safetensors"), classifier, nullptr,
                  classifier_metadata({"a", "b"}, 0.25, 16, "d"));
  CHECK_THROWS_WITH(run_with(dir.file("classifier.safetensors"), {dir.file("good.png")}),
                    Contains(dir.file("classifier.safetensors") +
                           " is a train_classifier checkpoint (an image classifier), not a "
                           "colorizer: give one written by train_colorizer (a classifier goes to "
                           "evaluate --classifier)"));
  CHECK_THROWS_WITH(run_with(ckpt, {dir.file("nope.png")}),
                    Contains("nope.png") && Contains("does not exist"));
  CHECK_THROWS_WITH(run_with(ckpt, {dir.file("empty")}), Contains("empty"));
  CHECK_THROWS_WITH(run_with(ckpt, {}), Contains("no input"));
  CHECK_THROWS_WITH(run_with(ckpt, {dir.file("bad.png")}),
                    Contains("cannot read") && Contains("bad.png"));
  // A missing path among several still stops the run before any work.
  CHECK_THROWS_WITH(run_with(ckpt, {dir.file("good.png"), dir.file("nope.png")}),
                    Contains("nope.png"));
  CHECK_FALSE(fs::exists(dir.file("out/good.png")));

  std::vector<std::string> warnings;
  const ColorizeResult result =
      run_with(ckpt, {dir.file("bad.png"), dir.file("good.png")}, &warnings);
  CHECK(result.written == std::vector<std::string>{dir.file("out/good.png")});
  CHECK(result.skipped == std::vector<std::string>{dir.file("bad.png")});
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Contains("bad.png"));

  // One stem twice: the second gets "-2", nothing is overwritten.
  fs::create_directories(dir.path / "other");
  write_png(dir.file("other/good.png"), grey_picture(5, 6));
  const ColorizeResult twice = run_with(ckpt, {dir.file("good.png"), dir.file("other/good.png")});
  CHECK(twice.written ==
        std::vector<std::string>{dir.file("out/good.png"), dir.file("out/good-2.png")});
  // Writing over the input itself is refused.
  CHECK_THROWS_WITH(colorize_files(quiet_run(ckpt, {dir.file("good.png")}, dir.path.string())),
                    Contains("is the input itself"));
}

TEST_CASE("colorize: hostile inputs are refused up front, naming the file", "[colorize][hostile]") {
  TempDir dir;
  const std::string ckpt = save_tiny(dir, "seed", models::Head::Classification);
  write_png(dir.file("good.png"), colour_picture(12, 10));
  // 1 x 20000 and 30000 x 1: tiny files whose --keep-aspect network input would be 320000
  // and 480000 pixels long at --size 16 (gigabytes at the default 176).
  write_png(dir.file("tall.png"), grey_picture(1, 20000));
  write_png(dir.file("wide.png"), grey_picture(30000, 1));
  const auto keep_aspect = [&](const std::vector<std::string>& in,
                               std::vector<std::string>* warnings = nullptr) {
    ColorizeRun run = quiet_run(ckpt, in, dir.file("out"), warnings);
    run.options.keep_aspect = true;
    return colorize_files(run);
  };
  CHECK_THROWS_WITH(keep_aspect({dir.file("tall.png")}),
                    Contains("cannot colorize " + dir.file("tall.png") +
                             ": it is 1 x 20000 pixels, so --keep-aspect would make its network "
                             "input 320000 pixels long") &&
                        Contains("at most 16 times the short side"));
  CHECK_THROWS_WITH(keep_aspect({dir.file("wide.png")}), Contains("it is 30000 x 1 pixels"));
  std::vector<std::string> warnings;
  const ColorizeResult some =
      keep_aspect({dir.file("tall.png"), dir.file("good.png"), dir.file("wide.png")}, &warnings);
  CHECK(some.written == std::vector<std::string>{dir.file("out/good.png")});
  CHECK(some.skipped == std::vector<std::string>{dir.file("tall.png"), dir.file("wide.png")});
  CHECK(warnings.size() == 2);
  CHECK(network_input_problem(16, 1, {.size = 16, .keep_aspect = true}).empty());
  CHECK_FALSE(network_input_problem(17, 1, {.size = 16, .keep_aspect = true}).empty());
  CHECK(network_input_problem(17, 1, {.size = 16, .keep_aspect = false}).empty());
  fs::remove_all(dir.path / "out");

  // Over --max-pixels: refused from the header (the same images squeezed into the square are
  // fine under the default limit).
  ColorizeRun limited = quiet_run(ckpt, {dir.file("good.png")}, dir.file("out"));
  limited.max_pixels = 119;
  CHECK_THROWS_WITH(colorize_files(limited),
                    Contains("cannot read " + dir.file("good.png") +
                             ": it is 12 x 10 = 120 pixels, over the limit of 119 pixels "
                             "(--max-pixels)"));
  limited.max_pixels = 120;
  CHECK(colorize_files(limited).written.size() == 1);
  fs::remove_all(dir.path / "out");

  // A FIFO as an input or as the checkpoint: refused at once, never opened for reading.
  ::alarm(20);  // a hang would be a failure
  REQUIRE(::mkfifo(dir.file("pipe.png").c_str(), 0644) == 0);
  CHECK_THROWS_WITH(colorize_files(quiet_run(ckpt, {dir.file("pipe.png")}, dir.file("out"))),
                    Contains("cannot read " + dir.file("pipe.png") +
                             ": it is not a regular file (a FIFO)"));
  REQUIRE(::mkfifo(dir.file("pipe.safetensors").c_str(), 0644) == 0);
  CHECK_THROWS_WITH(colorize_files(quiet_run(dir.file("pipe.safetensors"), {dir.file("good.png")},
                                             dir.file("out"))),
                    Contains("checkpoint " + dir.file("pipe.safetensors") +
                             " is not a regular file (a FIFO)"));
  ::alarm(0);

  // NaN weights would colorize every image black: the checkpoint is refused, naming the tensor.
  Generator gen(7);
  auto model = models::make_model("seed", models::Head::Classification, 0.0625, gen);
  StateDict state = model->state_dict();
  std::string first;  // the first floating tensor by name
  for (const auto& [name, t] : state)
    if (first.empty() && is_floating(t.dtype())) first = name;
  Tensor damaged = state.at(first).clone();
  damaged.fill_(std::nan(""));
  state[first] = damaged;
  const std::string nan_ckpt = dir.file("nan.safetensors");
  save_checkpoint(nan_ckpt, state, nullptr,
                  {{kModelKey, "seed"}, {kHeadKey, "classification"}, {kWidthKey, "0.0625"}});
  CHECK_THROWS_WITH(colorize_files(quiet_run(nan_ckpt, {dir.file("good.png")}, dir.file("out"))),
                    Contains(nan_ckpt + ": tensor '" + first + "' holds NaN (element 0 of"));
  CHECK_FALSE(fs::exists(dir.file("out/good.png")));
}

TEST_CASE("colorize: a folder with a symlink loop and a file given twice are done once",
          "[colorize][hostile]") {
  TempDir dir;
  const std::string ckpt = save_tiny(dir, "seed", models::Head::Classification);
  fs::create_directories(dir.path / "in");
  write_png(dir.file("in/a.png"), colour_picture(9, 7));
  fs::create_directory_symlink(".", dir.path / "in" / "loop");
  std::vector<std::string> warnings;
  const ColorizeResult r = colorize_files(
      quiet_run(ckpt, {dir.file("in"), dir.file("in/a.png")}, dir.file("out"), &warnings));
  CHECK(r.written == std::vector<std::string>{dir.file("out/a.png")});  // no a-2 ... a-41
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[0], Contains(dir.file("in/loop") + ": a symbolic link back to"));
  CHECK_THAT(warnings[1], Contains("skipping " + dir.file("in/a.png") + ": the same file as"));
  CHECK_FALSE(fs::exists(dir.file("out/a-2.png")));
}
