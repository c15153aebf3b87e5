// Walks the elements of a strided view in row-major order, giving each element's storage
// offset in one or two views of the same shape. Innermost dim in a tight loop.
#pragma once

#include <cstdint>
#include <vector>

#include "framework/core/shape.h"

namespace tint::cpu {

// fn(offset_a, offset_b) for every index of shape, in row-major order.
template <typename Fn>
void for_each_offset2(const Shape& shape, const Shape& strides_a, int64_t base_a,
                      const Shape& strides_b, int64_t base_b, Fn fn) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (shape_numel(shape) == 0) return;
  if (rank == 0) {
    fn(base_a, base_b);
    return;
  }
  std::vector<int64_t> index(rank, 0);
  const int64_t inner = shape[rank - 1];
  const int64_t sa = strides_a[rank - 1], sb = strides_b[rank - 1];
  int64_t oa = base_a, ob = base_b;
  while (true) {
    for (int64_t i = 0; i < inner; ++i) fn(oa + i * sa, ob + i * sb);
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      oa += strides_a[d];
      ob += strides_b[d];
      if (++index[d] < shape[d]) break;
      oa -= strides_a[d] * shape[d];
      ob -= strides_b[d] * shape[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

template <typename Fn>
void for_each_offset(const Shape& shape, const Shape& strides, int64_t base, Fn fn) {
  for_each_offset2(shape, strides, base, strides, base, [&](int64_t o, int64_t) { fn(o); });
}

}  // namespace tint::cpu
