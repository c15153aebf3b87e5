// Error reporting shared by the apps.
#include "app_main.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <malloc.h>
#include <unistd.h>

#include <limits>

#include "framework/core/error.h"
#include "framework/cuda/runtime.h"

namespace tint::apps {

std::string user_message(const std::string& what) {
  const char* debug = std::getenv("TINT_DEBUG");
  if (debug && debug[0] == '1') return what;
  const size_t open = what.rfind(" [");
  if (open != std::string::npos && !what.empty() && what.back() == ']') return what.substr(0, open);
  return what;
}

Device pick_device(const std::string& name) {
  if (name == "auto") return cuda::available() ? Device::cuda() : Device::cpu();
  const Device device = Device::parse(name);
  if (device.is_cuda()) {
    TINT_CHECK(cuda::built_with_cuda(), "--device ", name,
               " was asked for, but this build has no CUDA backend (use --device cpu)");
    TINT_CHECK(device.index < cuda::device_count(), "--device ", name,
               " was asked for, but ", cuda::device_count(),
               " CUDA device(s) are visible (use --device cpu)");
  }
  return device;
}

void prefer_passive_openmp_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  ::setenv("OMP_WAIT_POLICY", "passive", 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: then go on as we are
}

int run_app(const char* app_name, const std::function<int()>& body) {
  ::mallopt(M_MMAP_THRESHOLD, 1 << 30);
  ::mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", app_name, user_message(e.what()).c_str());
    return 1;
  }
}

}  // namespace tint::apps
