// Strided host copy with dtype conversion; a plain memcpy when both sides are contiguous
// and share the dtype.
#include "framework/ops/cpu/copy.h"

#include <cstring>

#include "framework/ops/cpu/strided.h"

namespace tint::cpu {

void copy_strided(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous()) {
    if (dst.nbytes()) std::memcpy(dst.raw_data(), src.raw_data(), dst.nbytes());
    return;
  }
  char* dst_base = static_cast<char*>(dst.impl()->storage->data());
  const char* src_base = static_cast<const char*>(src.impl()->storage->data());
  TINT_DISPATCH_STORAGE(dst.dtype(), "copy", [&] {
    using dst_t = scalar_t;
    dst_t* d = reinterpret_cast<dst_t*>(dst_base);
    TINT_DISPATCH_STORAGE(src.dtype(), "copy", [&] {
      const scalar_t* s = reinterpret_cast<const scalar_t*>(src_base);
      for_each_offset2(dst.shape(), dst.strides(), dst.offset(), src.strides(), src.offset(),
                       [&](int64_t od, int64_t os) { d[od] = static_cast<dst_t>(s[os]); });
    });
  });
}

}  // namespace tint::cpu
