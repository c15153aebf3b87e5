// Shapes and strides: element counts, contiguous strides, broadcasting, dim wrapping, and
// printing a shape as [2, 3, 4] for error messages.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace tint {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);
Shape contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);
// The broadcast shape of a and b under NumPy rules; a tint::Error naming op otherwise.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Maps a possibly negative dim into [0, rank); a tint::Error naming op when out of range.
int64_t wrap_dim(int64_t dim, int64_t rank, const char* op);

struct ShapePrinter {
  const Shape& shape;
};
std::ostream& operator<<(std::ostream& os, ShapePrinter p);

}  // namespace tint
