// Readable printing: nested brackets like PyTorch, long dims elided with "...", followed by
// shape, dtype, device and whether the tensor requires grad.
#include <iomanip>
#include <sstream>

#include "framework/autograd/node.h"
#include "framework/tensor/tensor.h"

namespace tint {

namespace {

void print_level(std::ostringstream& os, const std::vector<double>& values, const Shape& shape,
                 size_t level, int64_t base, int64_t max_per_dim, bool floating) {
  if (shape.empty()) {
    os << values[0];
    return;
  }
  const int64_t n = shape[level];
  int64_t stride = 1;
  for (size_t i = level + 1; i < shape.size(); ++i) stride *= shape[i];
  os << "[";
  for (int64_t i = 0; i < n; ++i) {
    if (n > max_per_dim && i == max_per_dim / 2) {
      os << "...";
      i = n - max_per_dim / 2 - 1;
      if (i + 1 < n) os << ", ";
      continue;
    }
    if (level + 1 == shape.size()) {
      const double v = values[base + i];
      if (floating) os << std::setw(10) << std::fixed << std::setprecision(4) << v;
      else os << static_cast<int64_t>(v);
    } else {
      if (i > 0) os << "\n" << std::string(level + 8, ' ');
      print_level(os, values, shape, level + 1, base + i * stride, max_per_dim, floating);
    }
    if (i + 1 < n) os << ", ";
  }
  os << "]";
}

}  // namespace

std::string Tensor::str(int64_t max_per_dim) const {
  if (!defined()) return "tensor(undefined)";
  std::ostringstream os;
  os << "tensor(";
  if (numel() == 0) {
    os << "[]";
  } else {
    print_level(os, to_vector<double>(), shape(), 0, 0, std::max<int64_t>(max_per_dim, 2),
                is_floating(dtype()));
  }
  os << ", shape=" << shape_str(shape()) << ", dtype=" << dtype_name(dtype());
  if (!device().is_cpu()) os << ", device=" << device().str();
  if (grad_fn()) os << ", grad_fn=" << grad_fn()->name;
  else if (requires_grad()) os << ", requires_grad=true";
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace tint
