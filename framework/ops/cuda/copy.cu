// Strided device copy with dtype conversion; cudaMemcpyAsync when both sides are
// contiguous and share the dtype.
#include "framework/ops/cuda/copy.h"
#include "framework/ops/cuda/launch.cuh"

namespace tint::cuda {

namespace {
template <typename D, typename S>
__global__ void copy_kernel(D* dst, const S* src, int64_t n, Indexer<2> ix) {
  TINT_GRID_STRIDE(i, n) {
    int64_t o[2];
    ix.offsets(i, o);
    dst[o[0]] = static_cast<D>(src[o[1]]);
  }
}
}  // namespace

void copy_strided(const Tensor& dst, const Tensor& src) {
  const int64_t n = dst.numel();
  if (n == 0) return;
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous()) {
    TINT_CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(), dst.nbytes(),
                                    cudaMemcpyDeviceToDevice, stream_of(dst)));
    return;
  }
  const Tensor* views[2] = {&dst, &src};
  const Indexer<2> ix = make_indexer<2>(dst.shape(), views);
  TINT_DISPATCH_STORAGE(dst.dtype(), "copy", [&] {
    using dst_t = scalar_t;
    TINT_DISPATCH_STORAGE(src.dtype(), "copy", [&] {
      copy_kernel<<<blocks_for(n), kThreads, 0, stream_of(dst)>>>(
          base_of<dst_t>(dst), base_of<const scalar_t>(src), n, ix);
    });
  });
  check_launch("copy_strided");
}

}  // namespace tint::cuda
