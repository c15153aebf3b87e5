// The range a numeric setting must lie in, said in the same words by the command-line
// validators (flag_checks.h) and by the library's own checks of its configs, so that a flag
// and the config field behind it never disagree. The bounds themselves are in
// setting_limits.h.
#pragma once

#include <cstdint>
#include <string>

#include "framework/io/metadata.h"

namespace tint::apps {

// Whole numbers lo..hi (both included) that are multiples of `multiple`.
struct WholeRange {
  int64_t lo = 0, hi = 0;
  int64_t multiple = 1;
  bool contains(int64_t value) const;
  // "a whole number in [1, 4096]" / "a multiple of 8 in [8, 4096]"
  std::string describe() const;
};

// Finite real numbers between lo and hi; each end open (excluded) or closed (included).
struct NumberRange {
  double lo = 0, hi = 0;
  bool lo_open = false, hi_open = false;
  bool contains(double value) const;  // false for NaN and infinities
  // "a number in (0, 1]"; the bounds as %g-like short text, never hundreds of digits.
  std::string describe() const;
};

// A number as short text: whole values up to 1e15 in full ("4096"), others with ten
// significant digits ("3e-05", "1e+300").
std::string short_number(double value);

// Text a user or a file gave, for a message: at most 40 characters (longer text cut with
// "..."), bytes outside printable ASCII as '?'.
std::string excerpt(const std::string& text);

// tint::Error "<name> must be <range>, got <value>" unless the range holds value. name is
// what the user set: a flag ("--size") for the apps' configs.
void check_setting(const std::string& name, int64_t value, const WholeRange& range);
void check_setting(const std::string& name, double value, const NumberRange& range);

// A number from a checkpoint's (or other file's) metadata that must lie in a range: a
// tint::Error "<path>: its metadata <key> is <text>, not <range>" otherwise (also for text
// that is not a number). kind names the file kind for a missing key (metadata_value).
int64_t metadata_whole(const std::string& path, const Metadata& meta, const std::string& key,
                       const char* kind, const WholeRange& range);
double metadata_real(const std::string& path, const Metadata& meta, const std::string& key,
                     const char* kind, const NumberRange& range);

}  // namespace tint::apps
