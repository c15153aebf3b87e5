// Device names: printing and parsing "cpu" / "cuda:N".
#include "framework/core/device.h"

#include "framework/core/error.h"

namespace tint {

Device Device::parse(const std::string& text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.rfind("cuda:", 0) == 0) {
    const std::string index = text.substr(5);
    TINT_CHECK(!index.empty() && index.find_first_not_of("0123456789") == std::string::npos,
               "device '", text, "' is not valid: expected cpu, cuda or cuda:N");
    return cuda(std::stoi(index));
  }
  TINT_FAIL("device '", text, "' is not valid: expected cpu, cuda or cuda:N");
}

std::string Device::str() const {
  return is_cpu() ? "cpu" : "cuda:" + std::to_string(index);
}

std::ostream& operator<<(std::ostream& os, const Device& device) { return os << device.str(); }

}  // namespace tint
