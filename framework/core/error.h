// tint::Error and the TINT_CHECK macro: how library code reports a user's or a caller's
// mistake. Library code throws; only apps print and exit.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace tint {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}
[[noreturn]] void throw_error(const char* file, int line, const std::string& message);
}  // namespace detail

}  // namespace tint

// Throws tint::Error("<message> [file:line]") when cond is false. The message parts are
// streamed, so shapes and dtypes can be passed directly.
#define TINT_CHECK(cond, ...)                                                    \
  do {                                                                           \
    if (!(cond)) ::tint::detail::throw_error(__FILE__, __LINE__,                 \
                                             ::tint::detail::concat(__VA_ARGS__)); \
  } while (0)

#define TINT_FAIL(...) \
  ::tint::detail::throw_error(__FILE__, __LINE__, ::tint::detail::concat(__VA_ARGS__))
