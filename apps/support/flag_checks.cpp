// Numeric flag validators and the one-line error format (flag_checks.h).
#include "flag_checks.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string_view>

#include "image_folder.h"
#include "setting_limits.h"

namespace tint::apps::flags {

namespace {

// "got 1e300", or "got an empty value".
std::string given(const std::string& text) {
  return text.empty() ? "got an empty value" : "got " + excerpt(text);
}

// One optional '+' before a digit is allowed; from_chars takes no '+'.
std::string_view without_plus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] >= '0' && text[1] <= '9')
    text.remove_prefix(1);
  return text;
}

// The whole text as a T, or nothing (also when out of T's range).
template <typename T>
std::optional<T> parse_whole(const std::string& text) {
  const std::string_view digits = without_plus(text);
  T value{};
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), value, 10);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string help_span(const WholeRange& range) {
  if (range.multiple > 1)  // "{8, 16, ..., 4096}"
    return "{" + std::to_string(range.lo) + ", " + std::to_string(range.lo + range.multiple) +
           ", ..., " + std::to_string(range.hi) + "}";
  return "[" + std::to_string(range.lo) + ", " + std::to_string(range.hi) + "]";
}

std::string help_span(const NumberRange& range) {
  return std::string(range.lo_open ? "(" : "[") + short_number(range.lo) + ", " +
         short_number(range.hi) + (range.hi_open ? ")" : "]");
}

CLI::Validator whole_number(const WholeRange& range) {
  return CLI::Validator(
      [range](std::string& text) -> std::string {
        const std::optional<int64_t> value = parse_whole<int64_t>(text);
        if (!value || !range.contains(*value))
          return "expected " + range.describe() + ", " + given(text);
        text = std::to_string(*value);  // CLI11 reads integers with base 0: "010" would be 8
        return "";
      },
      help_span(range), "whole_number");
}

CLI::Validator real_number(const NumberRange& range) {
  return CLI::Validator(
      [range](std::string& text) -> std::string {
        const std::string_view digits = without_plus(text);
        double value = 0;
        const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), value,
                                       std::chars_format::general);
        const bool whole_text = r.ptr == digits.data() + digits.size();
        if (r.ec == std::errc::result_out_of_range && whole_text) {
          // Beyond a double: too large, or too close to 0 (strtod tells which).
          const bool tiny = std::fabs(std::strtod(text.c_str(), nullptr)) < 1;
          return "expected " + range.describe() + ", " + given(text) +
                 (tiny ? ", too close to 0 for a double" : ", too large for a double");
        }
        if (r.ec != std::errc() || !whole_text || !range.contains(value))
          return "expected " + range.describe() + ", " + given(text);
        char exact[64];
        std::snprintf(exact, sizeof exact, "%.17g", value);  // reads back to the same double
        text = exact;
        return "";
      },
      help_span(range), "real_number");
}

CLI::Validator seed_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::optional<uint64_t> value = parse_whole<uint64_t>(text);
        if (!value) return "expected a whole number from 0 to 2^64 - 1, " + given(text);
        text = std::to_string(*value);  // CLI11's strtoull would take "-1" as 2^64 - 1
        return "";
      },
      "[0, 2^64 - 1]", "seed_number");
}

CLI::Validator one_of(const std::vector<int64_t>& values) {
  std::string list;
  for (size_t i = 0; i < values.size(); ++i)
    list += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + std::to_string(values[i]);
  std::string span = "{";
  for (size_t i = 0; i < values.size(); ++i) span += (i ? ", " : "") + std::to_string(values[i]);
  span += "}";
  return CLI::Validator(
      [values, list](std::string& text) -> std::string {
        const std::optional<int64_t> value = parse_whole<int64_t>(text);
        for (int64_t v : values)
          if (value && *value == v) {
            text = std::to_string(v);
            return "";
          }
        return "expected " + list + ", " + given(text);
      },
      span, "one_of");
}

void one_line_errors(CLI::App& app, const std::string& app_name) {
  app.failure_message([app_name](const CLI::App*, const CLI::Error& e) {
    std::string line = app_name + ": " + e.what();
    for (char& c : line)
      if (c == '\n' || c == '\r') c = ' ';
    return line + " (run with --help for the flags)\n";
  });
}

CLI::Option* add_max_pixels_flag(CLI::App& app, int64_t& max_pixels) {
  return app
      .add_option_function<double>(
          "--max-pixels",
          [&max_pixels](double pixels) { max_pixels = static_cast<int64_t>(pixels); },
          kMaxPixelsHelp)
      ->default_str(short_number(static_cast<double>(max_pixels)))
      ->transform(real_number(limits::kMaxPixels));
}

}  // namespace tint::apps::flags
