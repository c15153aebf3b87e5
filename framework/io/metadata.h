// Reading and writing the string metadata of safetensors files (checkpoints, priors):
// numbers written as the shortest text that parses back exactly, and lookups whose errors
// name the file, what kind of file it should be, and the key.
#pragma once

#include <charconv>
#include <map>
#include <string>

#include "framework/core/error.h"

namespace tint {

using Metadata = std::map<std::string, std::string>;

// Shortest text that parses back to the same value (so an lr survives a round trip exactly).
template <typename T>
std::string format_metadata_number(T value) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

// The value of key; a tint::Error "<path>: <kind> metadata lacks '<key>'" when absent.
inline const std::string& metadata_value(const std::string& path, const Metadata& meta,
                                         const std::string& key, const char* kind) {
  auto it = meta.find(key);
  TINT_CHECK(it != meta.end(), path, ": ", kind, " metadata lacks '", key, "'");
  return it->second;
}

// The value of key parsed as a number, all of it; a tint::Error naming the key otherwise.
template <typename T>
T metadata_number(const std::string& path, const Metadata& meta, const std::string& key,
                  const char* kind) {
  const std::string& text = metadata_value(path, meta, key, kind);
  T value{};
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  TINT_CHECK(result.ec == std::errc() && result.ptr == text.data() + text.size(), path, ": ", kind,
             " metadata '", key, "' = '", text, "' is not a valid number");
  return value;
}

}  // namespace tint
