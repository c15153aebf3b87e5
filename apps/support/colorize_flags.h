// The colorize command line as a library: the app's description and every flag, defined on
// a CLI::App the caller owns (apps/colorize's main, tests, a fuzzer of the flag parser), and
// the ColorizeRun they add up to.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "colorize_image.h"

namespace tint::apps {

// What the flags write into. --size, --temperature, --model, --head and --width count only
// when given (the checkpoint's values stand otherwise), so their options are kept.
struct ColorizeFlags {
  ColorizeRun run;
  std::string model, head;
  double width = 1;
  CLI::Option* size = nullptr;
  CLI::Option* temperature = nullptr;
  CLI::Option* model_option = nullptr;
  CLI::Option* head_option = nullptr;
  CLI::Option* width_option = nullptr;
};

// Sets app's description and adds every flag, each writing into flags (which must outlive
// app's parsing). Numeric flags are range-checked when parsed (flag_checks.h).
void add_colorize_flags(CLI::App& app, ColorizeFlags& flags);

// After parsing: the run the flags describe (the checkpoint's size and temperature unless the
// flags were given; the model spec from the flags given).
ColorizeRun colorize_run(const ColorizeFlags& flags);

}  // namespace tint::apps
