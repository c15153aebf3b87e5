// Setting ranges: membership, their description, and the library-side checks
// (setting_range.h).
#include "setting_range.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "framework/core/error.h"

namespace tint::apps {

bool WholeRange::contains(int64_t value) const {
  return value >= lo && value <= hi && (multiple <= 1 || value % multiple == 0);
}

std::string WholeRange::describe() const {
  const std::string span = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (multiple > 1) return "a multiple of " + std::to_string(multiple) + " in " + span;
  return "a whole number in " + span;
}

bool NumberRange::contains(double value) const {
  if (!std::isfinite(value)) return false;
  const bool above = lo_open ? value > lo : value >= lo;
  const bool below = hi_open ? value < hi : value <= hi;
  return above && below;
}

std::string NumberRange::describe() const {
  return std::string("a number in ") + (lo_open ? "(" : "[") + short_number(lo) + ", " +
         short_number(hi) + (hi_open ? ")" : "]");
}

std::string short_number(double value) {
  char buf[64];
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", value);
  else
    std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

std::string excerpt(const std::string& text) {
  constexpr size_t kMax = 40;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

void check_setting(const std::string& name, int64_t value, const WholeRange& range) {
  TINT_CHECK(range.contains(value), name, " must be ", range.describe(), ", got ", value);
}

void check_setting(const std::string& name, double value, const NumberRange& range) {
  TINT_CHECK(range.contains(value), name, " must be ", range.describe(), ", got ",
             short_number(value));
}

int64_t metadata_whole(const std::string& path, const Metadata& meta, const std::string& key,
                       const char* kind, const WholeRange& range) {
  const std::string& text = metadata_value(path, meta, key, kind);
  int64_t value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool parsed = r.ec == std::errc() && r.ptr == text.data() + text.size();
  TINT_CHECK(parsed && range.contains(value), path, ": its metadata ", key, " is '", excerpt(text),
             "', not ", range.describe());
  return value;
}

double metadata_real(const std::string& path, const Metadata& meta, const std::string& key,
                     const char* kind, const NumberRange& range) {
  const std::string& text = metadata_value(path, meta, key, kind);
  double value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool parsed = r.ec == std::errc() && r.ptr == text.data() + text.size();
  TINT_CHECK(parsed && range.contains(value), path, ": its metadata ", key, " is '", excerpt(text),
             "', not ", range.describe());
  return value;
}

}  // namespace tint::apps
