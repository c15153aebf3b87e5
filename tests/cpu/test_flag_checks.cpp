// The apps' numeric flag validators (apps/support/flag_checks.h), the ranges behind them
// (setting_range.h, setting_limits.h) and the library checks that hold the same ranges: what
// each accepts and refuses, that the value CLI11 converts is the one the validator read, that
// the messages are one sentence naming the flag with short bounds, and that the flags of
// train_colorizer, colorize and evaluate (defined as library functions) refuse exactly what
// the library refuses. Needs tint_app_support.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>
#include <cfloat>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "apps/support/classifier_trainer.h"
#include "apps/support/colorize_flags.h"
#include "apps/support/colorize_image.h"
#include "apps/support/evaluate_flags.h"
#include "apps/support/evaluation.h"
#include "apps/support/flag_checks.h"
#include "apps/support/setting_limits.h"
#include "apps/support/setting_range.h"
#include "apps/support/train_colorizer_flags.h"
#include "apps/support/trainer.h"
#include "models/registry.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::apps;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
namespace fs = std::filesystem;

namespace {

// A validator's message for text ("" when accepted), and the text as CLI11 then converts it.
std::string refusal(const CLI::Validator& v, std::string text) { return v(text); }

std::string accepted_as(const CLI::Validator& v, std::string text) {
  const std::string message = v(text);
  REQUIRE(message.empty());
  return text;
}

// Parses args (after the program name) with app: "" when parsed, else the error's message;
// *exit_code gets CLI11's exit status for it.
std::string parse(CLI::App& app, std::vector<std::string> args, int* exit_code = nullptr) {
  std::vector<const char*> argv = {"app"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    if (exit_code) *exit_code = e.get_exit_code();
    return e.what();
  }
  if (exit_code) *exit_code = 0;
  return "";
}

// The message of the tint::Error that f throws, without the "[file:line]" suffix ("" when it
// throws none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    const std::string what = e.what();
    const size_t suffix = what.rfind(" [");
    return suffix == std::string::npos ? what : what.substr(0, suffix);
  }
  return "";
}

}  // namespace

TEST_CASE("whole_number accepts decimal whole numbers in its range and nothing else",
          "[flags]") {
  const CLI::Validator size = flags::whole_number({8, 4096, 8});
  CHECK(accepted_as(size, "8") == "8");
  CHECK(accepted_as(size, "4096") == "4096");
  CHECK(accepted_as(size, "+16") == "16");
  // CLI11 reads integers with base 0: the validator hands it plain decimal, so "0176" is 176,
  // not octal 126.
  CHECK(accepted_as(size, "0176") == "176");
  CHECK_THAT(refusal(size, "100"), Equals("expected a multiple of 8 in [8, 4096], got 100"));
  for (const char* bad : {"0", "-8", "4104", "0.5", "8.0", "1e3", "nan", "inf", "0x10", " 8",
                          "8 ", "++8", "8a", "99999999999999999999", "-99999999999999999999"})
    CHECK_THAT(refusal(size, bad), Contains("expected a multiple of 8 in [8, 4096], got "));
  CHECK_THAT(refusal(size, ""), Equals("expected a multiple of 8 in [8, 4096], got an empty "
                                       "value"));

  const CLI::Validator threads = flags::whole_number(limits::kDecodeThreads);
  CHECK(accepted_as(threads, "0") == "0");
  CHECK_THAT(refusal(threads, "-1"), Equals("expected a whole number in [0, 256], got -1"));
  const CLI::Validator signed_range = flags::whole_number({-5, 5});
  CHECK(accepted_as(signed_range, "-5") == "-5");
  // Long hostile text is cut, and bytes outside printable ASCII are not echoed.
  const std::string message = refusal(threads, std::string(500, '7') + "\n\x01");
  CHECK(message.size() < 120);
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("real_number accepts finite numbers in its range, with open or closed ends",
          "[flags]") {
  const CLI::Validator lr = flags::real_number(limits::kLearningRate);
  CHECK(accepted_as(lr, "1") == "1");
  CHECK(std::stod(accepted_as(lr, "3e-5")) == 3e-5);
  CHECK(std::stod(accepted_as(lr, "+0.1")) == 0.1);
  CHECK(std::stod(accepted_as(lr, ".25")) == 0.25);
  // The rewritten text reads back to exactly the double the validator checked.
  CHECK(std::stod(accepted_as(lr, "0.1000000000000000055511151231257827")) == 0.1);
  CHECK_THAT(refusal(lr, "0"), Equals("expected a number in (0, 1], got 0"));
  CHECK_THAT(refusal(lr, "1e300"), Equals("expected a number in (0, 1], got 1e300"));
  for (const char* bad : {"-1", "1.0000001", "nan", "NaN", "inf", "-inf", "infinity", "0x1p-3",
                          " 0.5", "0.5 ", "0.5x", "1e", "--1", "99999999999999999999"})
    CHECK_THAT(refusal(lr, bad), Contains("expected a number in (0, 1], got "));
  CHECK_THAT(refusal(lr, "1e-400"), Contains("got 1e-400, too close to 0 for a double"));
  CHECK_THAT(refusal(lr, "1e400"), Contains("got 1e400, too large for a double"));
  CHECK_THAT(refusal(lr, ""), Contains("got an empty value"));

  const CLI::Validator lambda = flags::real_number(limits::kLambda);
  CHECK(accepted_as(lambda, "0") == "0");
  CHECK(accepted_as(lambda, "1") == "1");
  CHECK_THAT(refusal(lambda, "-0.001"), Equals("expected a number in [0, 1], got -0.001"));
  const CLI::Validator half_open = flags::real_number({0, 1, false, true});
  CHECK_THAT(refusal(half_open, "1"), Equals("expected a number in [0, 1), got 1"));
}

TEST_CASE("ranges print their bounds short, and seeds take every 64-bit value", "[flags]") {
  // CLI::Range printed DBL_MAX with std::to_string: 309 digits.
  const NumberRange huge{0, DBL_MAX, true, false};
  CHECK_THAT(huge.describe(), Equals("a number in (0, 1.797693135e+308]"));
  CHECK(short_number(1e300) == "1e+300");
  CHECK(short_number(4096) == "4096");
  CHECK(short_number(3e-5) == "3e-05");
  CHECK(flags::help_span(limits::kImageSize) == "{8, 16, ..., 4096}");
  CHECK(flags::help_span(limits::kTemperature) == "(0, 10]");

  const CLI::Validator seed = flags::seed_number();
  CHECK(accepted_as(seed, "0") == "0");
  CHECK(accepted_as(seed, "18446744073709551615") == "18446744073709551615");
  // CLI11's own conversion took "-1" as 18446744073709551615.
  CHECK_THAT(refusal(seed, "-1"), Equals("expected a whole number from 0 to 2^64 - 1, got -1"));
  for (const char* bad : {"18446744073709551616", "0.5", "1e3", "nan", ""})
    CHECK_THAT(refusal(seed, bad), Contains("expected a whole number from 0 to 2^64 - 1"));

  const CLI::Validator splits = flags::one_of({1, 2, 4, 8});
  CHECK(accepted_as(splits, "4") == "4");
  CHECK_THAT(refusal(splits, "3"), Equals("expected 1, 2, 4 or 8, got 3"));
}

TEST_CASE("through CLI11 a refused value is one line naming the flag, exit status 105",
          "[flags]") {
  CLI::App app;
  double width = 1;
  uint64_t seed = 7;
  int64_t epochs = 1;
  app.add_option("--width", width)->transform(flags::real_number(limits::kColorizerWidth));
  app.add_option("--seed", seed)->transform(flags::seed_number());
  app.add_option("--epochs", epochs)->transform(flags::whole_number(limits::kEpochs));
  int code = 0;
  CHECK_THAT(parse(app, {"--width", "1e300"}, &code),
             Equals("--width: expected a number in (0, 8], got 1e300"));
  CHECK(code == static_cast<int>(CLI::ExitCodes::ValidationError));
  CHECK(width == 1);
  CHECK_THAT(parse(app, {"--seed", "-1"}), Contains("--seed: expected a whole number"));
  CHECK(seed == 7);
  CHECK_THAT(parse(app, {"--epochs=0.5"}), Contains("--epochs: expected a whole number"));
  CHECK(parse(app, {"--epochs", "010", "--seed", "18446744073709551615", "--width", "0.125"})
            .empty());
  CHECK(epochs == 10);  // not octal 8
  CHECK(seed == std::numeric_limits<uint64_t>::max());
  CHECK(width == 0.125);

  // The app's failure message: one line with its name and a pointer to --help.
  flags::one_line_errors(app, "tool");
  std::ostringstream out, err;
  CHECK(app.exit(CLI::ValidationError("--width", "expected x, got y"), out, err) == 105);
  CHECK(err.str() == "tool: --width: expected x, got y (run with --help for the flags)\n");
}

TEST_CASE("the library checks say the same ranges as the flags", "[flags]") {
  CHECK(error_of([&] { check_setting("--width", 1e300, limits::kColorizerWidth); }) ==
        "--width must be a number in (0, 8], got 1e+300");
  CHECK(error_of([&] { check_setting("--size", int64_t{0}, limits::kImageSize); }) ==
        "--size must be a multiple of 8 in [8, 4096], got 0");
  CHECK_NOTHROW(check_setting("--size", int64_t{176}, limits::kImageSize));
  CHECK(error_of([&] {
          check_setting("--lr", std::numeric_limits<double>::quiet_NaN(), limits::kLearningRate);
        }) == "--lr must be a number in (0, 1], got nan");
  // The models refuse widths beyond the same bound: no cast of 512 * 1e300 to int64.
  Generator gen(0);
  CHECK_THROWS_WITH(models::make_model("seed", models::Head::Classification, 1e300, gen),
                    Contains("(0, 8]"));
  CHECK_THROWS_WITH(models::SmallVgg(3, 1e300), Contains("(0, 8]"));
  CHECK_THROWS_WITH(models::scaled_channels(512, 9), Contains("(0, 8]"));

  // Metadata numbers: a bad value names the file and the key.
  const Metadata meta{{"train.size", "0"}, {"train.temperature", "nan"}, {"train.lr", "x"}};
  CHECK(error_of([&] {
          metadata_whole("ck.safetensors", meta, "train.size", "checkpoint", limits::kImageSize);
        }) == "ck.safetensors: its metadata train.size is '0', not a multiple of 8 in [8, 4096]");
  CHECK_THROWS_WITH(metadata_real("ck.safetensors", meta, "train.temperature", "checkpoint",
                                  limits::kTemperature),
                    Contains("train.temperature is 'nan', not a number in (0, 10]"));
  CHECK_THROWS_WITH(
      metadata_real("ck.safetensors", meta, "train.lr", "checkpoint", limits::kLearningRate),
      Contains("train.lr is 'x'"));
}

TEST_CASE("the trainers refuse out-of-range configs naming the flag, before writing anything",
          "[flags]") {
  tint::testing::TempDir dir;
  fs::create_directories(dir.path / "empty");
  TrainConfig c;
  c.data = (dir.path / "empty").string();
  c.out = (dir.path / "run").string();
  c.device = "cpu";
  c.width = 1e300;
  CHECK(error_of([&] { train_colorizer(c); }) == "--width must be a number in (0, 8], got 1e+300");
  c.width = 0.125;
  c.size = 100;
  CHECK_THROWS_WITH(train_colorizer(c), Contains("--size must be a multiple of 8"));
  c.size = 16;
  c.iters = -1;
  CHECK_THROWS_WITH(train_colorizer(c), Contains("--iters must be a whole number in [1, "));
  c.iters = 0;  // not given
  c.temperature = 0;
  CHECK_THROWS_WITH(train_colorizer(c), Contains("--temperature must be a number in (0, 10]"));
  c.temperature = 0.38;
  CHECK_THROWS_WITH(train_colorizer(c), Contains("no image files"));  // the ranges passed
  CHECK_FALSE(fs::exists(dir.path / "run"));

  ClassifierTrainConfig k;
  k.data = (dir.path / "empty").string();
  k.out = (dir.path / "classifier").string();
  k.lr = 1e30;
  const ClassifierTrainHooks silent{.log = [](const std::string&) {}, .progress = false};
  CHECK(error_of([&] { train_classifier(k, silent); }) ==
        "--lr must be a number in (0, 1], got 1e+30");
  k.lr = 1e-3;
  k.batch = 1;
  CHECK(error_of([&] { train_classifier(k, silent); }) ==
        "--batch must be a whole number in [2, 4096], got 1");
  CHECK_FALSE(fs::exists(dir.path / "classifier"));
}

TEST_CASE("train_colorizer's flags: a library function, ranges checked when parsed",
          "[flags]") {
  const auto parse_flags = [](std::vector<std::string> args, TrainColorizerFlags& f) {
    CLI::App app;
    add_train_colorizer_flags(app, f);
    return parse(app, std::move(args));
  };
  TrainColorizerFlags f;
  REQUIRE(parse_flags({"--width", "0.25", "--loss", "l2", "--seed", "3", "--grid-images", "0",
                       "--no-best"},
                      f)
              .empty());
  const TrainConfig c = train_config(f);
  CHECK(c.width == 0.25);
  CHECK(c.loss == ColorLossKind::L2);
  CHECK(c.seed == 3);
  CHECK(c.grid_images == 0);
  CHECK_FALSE(c.save_best);
  CHECK(given_flags(f) == std::set<std::string>{"--width", "--loss", "--seed", "--grid-images",
                                                "--no-best"});

  TrainColorizerFlags g;
  CHECK_THAT(parse_flags({"--width", "1e300"}, g),
             Equals("--width: expected a number in (0, 8], got 1e300"));
  TrainColorizerFlags h;
  CHECK_THAT(parse_flags({"--seed", "-1"}, h), Contains("--seed: expected a whole number"));
  CHECK(h.config.seed == 0);
}

TEST_CASE("a flag value is accepted exactly when the library accepts it", "[flags]") {
  // Each value through train_colorizer's --width flag and, directly, through the trainer's
  // own check: the flag refuses it iff the library does.
  tint::testing::TempDir dir;
  fs::create_directories(dir.path / "empty");
  for (const char* text : {"1e-300", "0.0001", "1", "8", "8.000001", "9", "1e300"}) {
    TrainColorizerFlags f;
    CLI::App app;
    add_train_colorizer_flags(app, f);
    const bool flag_ok = parse(app, {"--width", text}).empty();
    TrainConfig c;
    c.width = std::stod(text);
    c.device = "cpu";
    c.data = (dir.path / "empty").string();
    c.out = (dir.path / "run").string();
    std::string error;
    try {
      train_colorizer(c);
    } catch (const Error& e) {
      error = e.what();
    }
    INFO("--width " << text << ": " << error);
    CHECK(flag_ok == (error.find("--width") == std::string::npos));
  }
  // evaluate's --size and --temperature: given, 0 is an error (only leaving the flag out
  // means the default); the library says the same.
  for (const std::string flag : {"--size", "--temperature"}) {
    EvaluateFlags f;
    CLI::App app;
    add_evaluate_flags(app, f);
    CHECK_THAT(parse(app, {"--data", "d", "--out", "o", flag, "0"}), Contains(flag + ": expected"));
  }
  EvaluateConfig e;
  e.baseline = "gray";
  e.data = (dir.path / "empty").string();
  e.out = (dir.path / "eval").string();
  e.device = "cpu";
  e.size = 0;
  CHECK_THROWS_WITH(evaluate_colorization(e), Contains("--size must be a multiple of 8"));
  e.size.reset();
  e.temperature = 0;
  CHECK_THROWS_WITH(evaluate_colorization(e), Contains("--temperature must be a number in (0"));
  CHECK_FALSE(fs::exists(dir.path / "eval"));

  // colorize: the same for --size and --temperature.
  ColorizeFlags cf;
  CLI::App capp;
  add_colorize_flags(capp, cf);
  CHECK_THAT(parse(capp, {"--checkpoint", "c", "--out", "o", "x.png", "--size", "0"}),
             Contains("--size: expected a multiple of 8 in [8, 4096], got 0"));
  ColorizeOptions options;
  options.size = 0;
  CHECK(error_of([&] { network_input_size(10, 10, options); }) ==
        "the network input size (--size) must be a multiple of 8 in [8, 4096], got 0");
}
