// The apps' CLI11 validators for numeric flags, and their one-line error format.
//
// CLI11 (2.1.2, Debian's) converts a flag's text after its validators ran, and its own
// conversions and range checks let bad values through: an unsigned flag takes "-1" as
// 2^64 - 1, integers are read with base 0 ("010" is 8), CLI::PositiveNumber passes "1e300"
// to a cast out of range, and CLI::Range prints DBL_MAX with 309 digits. These validators
// parse the text themselves, strictly, refuse anything outside the setting's range
// (setting_range.h; the bounds in setting_limits.h) with one sentence
// "--flag: expected <range>, got <text>", and hand CLI11 the value rewritten as plain decimal
// text that its conversion reads back exactly. Each puts its range into the flag's help.
//
// Attach them with Option::transform, not Option::check: CLI11 runs check()'s validators on a
// copy of the text, so the rewrite would be lost ("010" would then be converted as octal 8).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "setting_range.h"

namespace tint::apps::flags {

// A whole number in the range: decimal digits with an optional sign ('-' only where the
// range has negative numbers); no fractions, exponents, hex, spaces or "nan".
CLI::Validator whole_number(const WholeRange& range);
// A finite number in the range, in C's decimal notation ("0.5", "3e-5"); no "nan", "inf",
// hex, spaces, or a value beyond what a double holds (1e400, 1e-400).
CLI::Validator real_number(const NumberRange& range);
// A random seed: any whole number from 0 to 2^64 - 1 (no sign).
CLI::Validator seed_number();
// One of a few whole numbers (e.g. 1, 2, 4 or 8).
CLI::Validator one_of(const std::vector<int64_t>& values);

// --max-pixels N into max_pixels (image_folder.h: larger images are refused from their
// header), a number such as 4e8 within limits::kMaxPixels; N is rounded down to a whole
// number of pixels when parsed.
CLI::Option* add_max_pixels_flag(CLI::App& app, int64_t& max_pixels);

// The range as a flag's help shows it after the type: "[1, 4096]", "{8, 16, ..., 4096}" (a
// multiple of 8), "(0, 1]".
std::string help_span(const WholeRange& range);
std::string help_span(const NumberRange& range);

// Makes the app print every command-line error as one line on stderr,
// "<app_name>: <error> (run with --help for the flags)", instead of CLI11's two; the exit
// codes stay CLI11's (105 for a value a validator refused, 106 for a missing flag, ...).
void one_line_errors(CLI::App& app, const std::string& app_name);

}  // namespace tint::apps::flags
