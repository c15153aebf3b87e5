// Training settings: names of the losses and target resolutions, the presets, and the
// settings' round trip through checkpoint metadata.
#include "train_config.h"

#include <array>
#include <cstdio>

#include "framework/core/error.h"
#include "setting_limits.h"

namespace tint::apps {

const char* color_loss_name(ColorLossKind kind) {
  switch (kind) {
    case ColorLossKind::ClassRebal:
      return "class-rebal";
    case ColorLossKind::Class:
      return "class";
    case ColorLossKind::L2:
      return "l2";
  }
  return "?";
}

ColorLossKind parse_color_loss(const std::string& name) {
  if (name == "class-rebal") return ColorLossKind::ClassRebal;
  if (name == "class") return ColorLossKind::Class;
  if (name == "l2") return ColorLossKind::L2;
  TINT_FAIL("unknown loss '", name, "'; the losses are: class-rebal, class, l2");
}

const char* target_resolution_name(color::TargetResolution r) {
  return r == color::TargetResolution::Full ? "full" : "subsampled";
}

color::TargetResolution parse_target_resolution(const std::string& name) {
  if (name == "full") return color::TargetResolution::Full;
  if (name == "subsampled") return color::TargetResolution::Subsampled;
  TINT_FAIL("unknown target resolution '", name, "'; the choices are: full, subsampled");
}

std::vector<std::string> preset_names() {
  return {"auto", "report", "cpu-small"};
}

namespace {

// The report's recipe: TrainConfig's own defaults.
TrainConfig report_preset() {
  return TrainConfig{};
}

// A few minutes on a 2-core CPU, measured on data/samples (360 training images of 64 x 64,
// 120 val) against the report's loss (class-rebal at full resolution) and batch (8):
// - 64 x 64, the bundled images' own size, and width 0.125: the report's network at an
//   eighth of its channels (393k parameters), ~300-350 img/s on an idle 2-core CPU against
//   ~160 at width 0.25; in the same minutes the narrower network saw twice the images and
//   ended as colourful (fruit, leaves and sky in their colours) with a steadier val AuC;
// - Adam lr 1e-3 instead of the report's 3e-5, which barely moves a network in minutes
//   (reference notes, "Training recipes"), decayed to 0 by a cosine: at a constant 1e-3 the
//   val AuC swung by +-3 points from epoch to epoch (backgrounds flipping hue), with the decay
//   the last epochs settle;
// - 160 epochs (57,600 image-steps, 7,200 steps): about 3.5 minutes on an idle machine, 6-7
//   when other work shares the cores; grids and summary lines every 20 epochs.
// Loss at the subsampled resolution (Zhang's) cost about the same with tint's fused loss and
// looked no better, so the preset keeps the report's full resolution.
TrainConfig cpu_small_preset() {
  TrainConfig c;
  c.size = 64;
  c.width = 0.125;
  c.lr = 1e-3;
  c.cosine = true;
  c.epochs = 160;
  c.report_every = 20;
  return c;
}

}  // namespace

TrainConfig preset_config(const std::string& name) {
  if (name == "report") return report_preset();
  if (name == "cpu-small") return cpu_small_preset();
  TINT_FAIL("unknown preset '", name, "'; the presets are: auto, report, cpu-small");
}

std::string apply_preset(TrainConfig& config, const std::string& preset, bool on_cpu,
                         const std::set<std::string>& explicit_flags) {
  std::string name = preset;
  if (name == "auto") name = on_cpu ? "cpu-small" : "report";
  const TrainConfig p = preset_config(name);
  const auto given = [&](const char* flag) { return explicit_flags.count(flag) > 0; };
  if (!given("--model")) config.model = p.model;
  if (!given("--loss")) config.loss = p.loss;
  if (!given("--size")) config.size = p.size;
  if (!given("--batch")) config.batch = p.batch;
  if (!given("--epochs") && !given("--iters")) config.epochs = p.epochs, config.iters = p.iters;
  if (!given("--lr")) config.lr = p.lr;
  if (!given("--lr-schedule")) config.cosine = p.cosine;
  if (!given("--weight-decay")) config.weight_decay = p.weight_decay;
  if (!given("--lambda")) config.lambda = p.lambda;
  if (!given("--temperature")) config.temperature = p.temperature;
  if (!given("--width")) config.width = p.width;
  if (!given("--target-resolution")) config.target_resolution = p.target_resolution;
  if (!given("--report-every")) config.report_every = p.report_every;
  return name;
}

std::string preset_changes(const TrainConfig& c, const std::set<std::string>& explicit_flags) {
  const TrainConfig r = report_preset();
  std::string out;
  const auto note = [&](const char* flag, bool differs, const std::string& mine,
                        const std::string& report) {
    if (!differs || explicit_flags.count(flag)) return;
    out += (out.empty() ? "" : ", ") + mine + " instead of " + report;
  };
  const auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  note("--lr", c.lr != r.lr, "lr " + num(c.lr), num(r.lr));
  note("--lr-schedule", c.cosine != r.cosine,
       std::string(c.cosine ? "cosine" : "constant") + " lr schedule",
       r.cosine ? "cosine" : "constant");
  note("--width", c.width != r.width, "width " + num(c.width), num(r.width));
  note("--size", c.size != r.size, std::to_string(c.size) + "x" + std::to_string(c.size),
       std::to_string(r.size) + "x" + std::to_string(r.size));
  note("--batch", c.batch != r.batch, "batch " + std::to_string(c.batch), std::to_string(r.batch));
  if (!explicit_flags.count("--iters"))
    note("--epochs", c.epochs != r.epochs, std::to_string(c.epochs) + " epochs",
         std::to_string(r.epochs));
  note("--target-resolution", c.target_resolution != r.target_resolution,
       std::string("the loss at ") + target_resolution_name(c.target_resolution) + " resolution",
       target_resolution_name(r.target_resolution));
  return out.empty() ? "none" : out;
}

Metadata config_metadata(const TrainConfig& c) {
  return {
      {"train.model", c.model},
      {"train.width", format_metadata_number(c.width)},
      {"train.loss", color_loss_name(c.loss)},
      {"train.size", std::to_string(c.size)},
      {"train.batch", std::to_string(c.batch)},
      {"train.seed", std::to_string(c.seed)},
      {"train.target_resolution", target_resolution_name(c.target_resolution)},
      {"train.data", c.data},
      {"train.epochs", std::to_string(c.epochs)},
      {"train.iters", std::to_string(c.iters)},
      {"train.lr", format_metadata_number(c.lr)},
      {"train.lr_schedule", c.cosine ? "cosine" : "constant"},
      {"train.weight_decay", format_metadata_number(c.weight_decay)},
      {"train.lambda", format_metadata_number(c.lambda)},
      {"train.temperature", format_metadata_number(c.temperature)},
      {"train.augment", c.augment ? "1" : "0"},
      {"train.report_every", std::to_string(c.report_every)},
      {"train.grid_images", std::to_string(c.grid_images)},
      {"train.precision", c.precision},
      {"train.channels_last", c.channels_last ? "1" : "0"},
      {"train.cuda_graph", c.cuda_graph ? "1" : "0"},
  };
}

namespace {

constexpr const char* kKind = "train_colorizer checkpoint";

// Structural settings: (flag, metadata key, the value in this config as metadata text).
std::vector<std::array<std::string, 3>> structural(const TrainConfig& c) {
  const Metadata m = config_metadata(c);
  std::vector<std::array<std::string, 3>> out;
  for (const auto& [flag, key] : std::vector<std::pair<std::string, std::string>>{
           {"--model", "train.model"},
           {"--width", "train.width"},
           {"--loss", "train.loss"},
           {"--size", "train.size"},
           {"--batch", "train.batch"},
           {"--seed", "train.seed"},
           {"--target-resolution", "train.target_resolution"}})
    out.push_back({flag, key, m.at(key)});
  return out;
}

void check_one(const std::string& flag, const std::string& key, const std::string& mine,
               const Metadata& meta, const std::string& path) {
  const std::string& saved = metadata_value(path, meta, key, kKind);
  TINT_CHECK(saved == mine, "--resume: ", path, " was trained with ", flag, " ", saved,
             ", this run asks for ", flag, " ", mine,
             "; give the same setting (or leave the flag out to take the checkpoint's), or "
             "start a new run in another --out folder");
}

}  // namespace

void check_checkpoint_settings(const TrainConfig& config, const Metadata& meta,
                               const std::string& path) {
  for (const auto& [flag, key, mine] : structural(config)) check_one(flag, key, mine, meta, path);
}

void adopt_checkpoint_settings(TrainConfig& c, const Metadata& meta, const std::string& path,
                               const std::set<std::string>& explicit_flags) {
  const auto given = [&](const char* flag) { return explicit_flags.count(flag) > 0; };
  const auto text = [&](const char* key) { return metadata_value(path, meta, key, kKind); };
  // A key that older checkpoints lack: its value, or what they trained with.
  const auto text_or = [&](const char* key, const std::string& absent) {
    const auto found = meta.find(key);
    return found == meta.end() ? absent : found->second;
  };
  // Numbers are checked against the flags' ranges: a bad value names the checkpoint and key.
  const auto whole = [&](const char* key, const WholeRange& range) {
    return metadata_whole(path, meta, key, kKind, range);
  };
  const auto real = [&](const char* key, const NumberRange& range) {
    return metadata_real(path, meta, key, kKind, range);
  };
  // Settings the user left out come from the checkpoint.
  if (!given("--model")) c.model = text("train.model");
  if (!given("--width")) c.width = real("train.width", limits::kColorizerWidth);
  if (!given("--loss")) c.loss = parse_color_loss(text("train.loss"));
  if (!given("--size")) c.size = static_cast<int>(whole("train.size", limits::kImageSize));
  if (!given("--batch")) c.batch = whole("train.batch", limits::kBatch);
  if (!given("--seed")) c.seed = metadata_number<uint64_t>(path, meta, "train.seed", kKind);
  if (!given("--target-resolution"))
    c.target_resolution = parse_target_resolution(text("train.target_resolution"));
  if (!given("--data")) c.data = text("train.data");
  if (!given("--epochs") && !given("--iters")) {
    c.epochs = whole("train.epochs", limits::kEpochs);
    c.iters = whole("train.iters", {0, limits::kIters.hi});  // 0: not given
  }
  if (!given("--lr")) c.lr = real("train.lr", limits::kLearningRate);
  if (!given("--lr-schedule")) c.cosine = text("train.lr_schedule") == "cosine";
  if (!given("--weight-decay")) c.weight_decay = real("train.weight_decay", limits::kWeightDecay);
  if (!given("--lambda")) c.lambda = real("train.lambda", limits::kLambda);
  if (!given("--temperature")) c.temperature = real("train.temperature", limits::kTemperature);
  if (!given("--no-augment")) c.augment = text("train.augment") == "1";
  if (!given("--report-every")) c.report_every = whole("train.report_every", limits::kEveryEpochs);
  if (!given("--grid-images"))
    c.grid_images = static_cast<int>(whole("train.grid_images", limits::kGridImages));
  // (Checkpoints from before the bf16 mode have no precision: they trained in float32.)
  if (!given("--precision")) c.precision = text_or("train.precision", "fp32");
  if (!given("--channels-last")) c.channels_last = text_or("train.channels_last", "0") == "1";
  if (!given("--cuda-graph")) c.cuda_graph = text_or("train.cuda_graph", "0") == "1";
  // Explicit ones must agree where the weights depend on them.
  check_checkpoint_settings(c, meta, path);
}

std::string describe(const TrainConfig& c) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%s x%g, %s loss (%s resolution), %dx%d, batch %lld, %s %lld, Adam lr %g%s, "
                "weight decay %g, lambda %g, T %g, seed %llu%s%s%s",
                c.model.c_str(), c.width, color_loss_name(c.loss),
                target_resolution_name(c.target_resolution), c.size, c.size,
                static_cast<long long>(c.batch), c.iters > 0 ? "iters" : "epochs",
                static_cast<long long>(c.iters > 0 ? c.iters : c.epochs), c.lr,
                c.cosine ? " (cosine to 0)" : "", c.weight_decay, c.lambda, c.temperature,
                static_cast<unsigned long long>(c.seed),
                c.precision == "bf16" ? ", bfloat16 mixed precision" : "",
                c.channels_last ? ", channels_last" : "",
                c.cuda_graph ? ", CUDA graph steps" : "");
  return buf;
}

}  // namespace tint::apps
