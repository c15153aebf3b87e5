// Error reporting shared by the apps.
#include "app_main.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace tint::apps {

std::string user_message(const std::string& what) {
  const char* debug = std::getenv("TINT_DEBUG");
  if (debug && debug[0] == '1') return what;
  const size_t open = what.rfind(" [");
  if (open != std::string::npos && !what.empty() && what.back() == ']') return what.substr(0, open);
  return what;
}

int run_app(const char* app_name, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", app_name, user_message(e.what()).c_str());
    return 1;
  }
}

}  // namespace tint::apps
