// Builds the text of a tint::Error: the message, then where in tint it was raised.
#include "framework/core/error.h"

#include <cstring>

namespace tint::detail {

void throw_error(const char* file, int line, const std::string& message) {
  // Keep only the path inside the repository so messages do not leak build paths.
  const char* rel = std::strstr(file, "framework/");
  if (!rel) rel = std::strstr(file, "kernels/");
  if (!rel) rel = std::strstr(file, "models/");
  if (!rel) rel = file;
  throw Error(message + " [" + rel + ":" + std::to_string(line) + "]");
}

}  // namespace tint::detail
