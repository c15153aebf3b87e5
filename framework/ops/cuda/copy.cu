// Strided device copy with dtype conversion; cudaMemcpyAsync when both sides are
// contiguous and share the dtype; a tiled transpose between NCHW-like and NHWC-like 4-D
// views (the layout changes of channels_last, framework/tensor/layout.h).
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

// A 4-D (N, C, H, W) view as (n, c, p) with p = h * W + w, when h and w merge into one
// stride: its element offsets from the storage start.
struct PlaneView {
  int64_t base = 0, n = 0, c = 0, p = 0;
};

bool plane_view(const Tensor& t, PlaneView* v) {
  if (t.dim() != 4) return false;
  const Shape& s = t.shape();
  const Shape& st = t.strides();
  if (s[3] > 1 && s[2] > 1 && st[2] != s[3] * st[3]) return false;
  v->base = t.offset();
  v->n = st[0];
  v->c = st[1];
  v->p = s[3] > 1 ? st[3] : st[2];
  return true;
}

constexpr int kTile = 32, kTileRows = 8;

// A layout change between NCHW-like (positions at stride 1) and NHWC-like (channels at
// stride 1) views, through a shared-memory tile of 32 channels x 32 positions per block
// (blockIdx.z = image): both the reads and the writes run along their unit stride, where
// the generic kernel above walks one of the two sides 2-8 bytes per C apart. SrcUnitP: the
// source has positions at stride 1 (so the destination has channels at stride 1).
template <typename D, typename S, bool SrcUnitP>
__global__ void plane_transpose_kernel(D* dst, const S* src, int64_t channels, int64_t positions,
                                       PlaneView dv, PlaneView sv) {
  __shared__ D tile[kTile][kTile + 1];  // [channel][position] of the block, padded
  const int64_t c0 = blockIdx.y * static_cast<int64_t>(kTile);
  const int64_t p0 = blockIdx.x * static_cast<int64_t>(kTile);
  const S* s = src + sv.base + blockIdx.z * sv.n;
  D* d = dst + dv.base + blockIdx.z * dv.n;
  for (int j = threadIdx.y; j < kTile; j += kTileRows) {
    const int cl = SrcUnitP ? j : threadIdx.x, pl = SrcUnitP ? threadIdx.x : j;
    const int64_t c = c0 + cl, p = p0 + pl;
    if (c < channels && p < positions) tile[cl][pl] = static_cast<D>(s[c * sv.c + p * sv.p]);
  }
  __syncthreads();
  for (int j = threadIdx.y; j < kTile; j += kTileRows) {
    const int cl = SrcUnitP ? threadIdx.x : j, pl = SrcUnitP ? j : threadIdx.x;
    const int64_t c = c0 + cl, p = p0 + pl;
    if (c < channels && p < positions) d[c * dv.c + p * dv.p] = tile[cl][pl];
  }
}

// The transpose kernel for dst <- src when one is NCHW-like and the other NHWC-like; false
// (nothing launched) otherwise.
bool try_plane_transpose(const Tensor& dst, const Tensor& src) {
  PlaneView dv, sv;
  if (!plane_view(dst, &dv) || !plane_view(src, &sv)) return false;
  const Shape& s = dst.shape();
  const int64_t channels = s[1], positions = s[2] * s[3];
  if (channels < 2 || positions < 2 || s[0] > 65535 || (channels + kTile - 1) / kTile > 65535)
    return false;
  const bool src_unit_p = sv.p == 1 && dv.c == 1, src_unit_c = sv.c == 1 && dv.p == 1;
  if (!src_unit_p && !src_unit_c) return false;
  const dim3 grid(static_cast<unsigned>((positions + kTile - 1) / kTile),
                  static_cast<unsigned>((channels + kTile - 1) / kTile),
                  static_cast<unsigned>(s[0]));
  const dim3 block(kTile, kTileRows);
  TINT_DISPATCH_STORAGE(dst.dtype(), "copy", [&] {
    using dst_t = scalar_t;
    TINT_DISPATCH_STORAGE(src.dtype(), "copy", [&] {
      if (src_unit_p)
        plane_transpose_kernel<dst_t, scalar_t, true><<<grid, block, 0, stream_of(dst)>>>(
            base_of<dst_t>(dst), base_of<const scalar_t>(src), channels, positions, dv, sv);
      else
        plane_transpose_kernel<dst_t, scalar_t, false><<<grid, block, 0, stream_of(dst)>>>(
            base_of<dst_t>(dst), base_of<const scalar_t>(src), channels, positions, dv, sv);
    });
  });
  check_launch("copy_strided (layout transpose)");
  return true;
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
  if (try_plane_transpose(dst, src)) return;
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
