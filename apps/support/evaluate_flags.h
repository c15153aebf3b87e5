// The evaluate command line as a library: the app's description and every flag, defined on
// a CLI::App the caller owns (apps/evaluate's main, tests, a fuzzer of the flag parser), and
// the EvaluateConfig they add up to.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "evaluation.h"

namespace tint::apps {

// What the flags write into. --size, --temperature, --model, --head and --width count only
// when given (the checkpoint's values, or the defaults, stand otherwise).
struct EvaluateFlags {
  EvaluateConfig config;
  std::string split = "test";
  bool no_images = false;
  int size = 0;
  double temperature = 0;
  std::string model, head;
  double width = 1;
  CLI::Option* size_option = nullptr;
  CLI::Option* temperature_option = nullptr;
  CLI::Option* model_option = nullptr;
  CLI::Option* head_option = nullptr;
  CLI::Option* width_option = nullptr;
};

// Sets app's description and adds every flag, each writing into flags (which must outlive
// app's parsing). Numeric flags are range-checked when parsed (flag_checks.h).
void add_evaluate_flags(CLI::App& app, EvaluateFlags& flags);

// After parsing: the config the flags describe. tint::Error for an unknown --split.
EvaluateConfig evaluate_config(const EvaluateFlags& flags);

}  // namespace tint::apps
