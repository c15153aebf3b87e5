// The train_colorizer command line as a library: the app's description and every flag,
// defined on a CLI::App the caller owns (apps/train_colorizer's main, tests, a fuzzer of the
// flag parser), and the TrainConfig they add up to.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <set>
#include <string>

#include "train_config.h"

namespace tint::apps {

// What the flags write into. The choices that are names on the command line (loss,
// resolution, schedule) are kept as text until train_config().
struct TrainColorizerFlags {
  TrainConfig config;
  std::string preset = "auto", loss = "class-rebal", resolution = "full", schedule = "constant";
  bool no_augment = false, no_best = false;
  std::map<std::string, CLI::Option*> options;  // every flag by its name ("--lr")
};

// Sets app's description and adds every flag, each writing into flags (which must outlive
// app's parsing). Numeric flags are range-checked when parsed (flag_checks.h).
void add_train_colorizer_flags(CLI::App& app, TrainColorizerFlags& flags);

// After parsing: the names of the flags given on the command line ("--lr", ...), which
// presets and --resume leave alone.
std::set<std::string> given_flags(const TrainColorizerFlags& flags);

// After parsing: the config the flags describe (loss, target resolution, schedule,
// augmentation and best-checkpoint switches applied; the preset not yet: apply_preset).
TrainConfig train_config(const TrainColorizerFlags& flags);

}  // namespace tint::apps
