// CUDA kernels of the Lab conversions: one thread per pixel (grid-stride), each calling the
// same TINT_HD per-pixel math as the CPU loops (kernels/math/lab.h). Planar tensors are
// (N, 3, H, W); interleaved images (N, H, W, 3) uint8. Inputs and outputs are contiguous.
#include "framework/core/dtype.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/lab.h"
#include "kernels/math/lab.h"

namespace tint::color::cuda {

namespace {

template <typename T>
__global__ void rgb_to_lab_kernel(T* out, const T* in, int64_t pixels, int64_t hw) {
  TINT_GRID_STRIDE(p, pixels) math::rgb_to_lab_pixel(out, in, p, hw);
}

template <typename T>
__global__ void lab_to_rgb_kernel(T* out, const T* in, int64_t pixels, int64_t hw) {
  TINT_GRID_STRIDE(p, pixels) math::lab_to_rgb_pixel(out, in, p, hw);
}

__global__ void rgb8_to_lab_kernel(float* out, const uint8_t* in, int64_t pixels, int64_t hw) {
  TINT_GRID_STRIDE(p, pixels) math::rgb8_to_lab_pixel(out, in, p, hw);
}

template <typename T>
__global__ void lab_to_rgb8_kernel(uint8_t* out, const T* in, int64_t pixels, int64_t hw) {
  TINT_GRID_STRIDE(p, pixels) math::lab_to_rgb8_pixel(out, in, p, hw);
}

int64_t plane_of(const Tensor& planar) {
  return planar.size(2) * planar.size(3);
}

}  // namespace

void rgb_to_lab(const Tensor& out, const Tensor& rgb) {
  const int64_t hw = plane_of(rgb), pixels = rgb.numel() / 3;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(rgb.dtype(), "rgb_to_lab", [&] {
    rgb_to_lab_kernel<<<blocks_for(pixels), kThreads, 0, stream_of(out)>>>(
        static_cast<scalar_t*>(out.raw_data()), static_cast<const scalar_t*>(rgb.raw_data()),
        pixels, hw);
    check_launch("rgb_to_lab");
  });
}

void lab_to_rgb(const Tensor& out, const Tensor& lab) {
  const int64_t hw = plane_of(lab), pixels = lab.numel() / 3;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(lab.dtype(), "lab_to_rgb", [&] {
    lab_to_rgb_kernel<<<blocks_for(pixels), kThreads, 0, stream_of(out)>>>(
        static_cast<scalar_t*>(out.raw_data()), static_cast<const scalar_t*>(lab.raw_data()),
        pixels, hw);
    check_launch("lab_to_rgb");
  });
}

void rgb8_to_lab(const Tensor& out, const Tensor& image) {
  const int64_t hw = plane_of(out), pixels = out.numel() / 3;
  if (pixels == 0) return;
  rgb8_to_lab_kernel<<<blocks_for(pixels), kThreads, 0, stream_of(out)>>>(
      static_cast<float*>(out.raw_data()), static_cast<const uint8_t*>(image.raw_data()), pixels,
      hw);
  check_launch("rgb8_to_lab");
}

void lab_to_rgb8(const Tensor& out, const Tensor& lab) {
  const int64_t hw = plane_of(lab), pixels = lab.numel() / 3;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(lab.dtype(), "lab_to_rgb8", [&] {
    lab_to_rgb8_kernel<<<blocks_for(pixels), kThreads, 0, stream_of(out)>>>(
        static_cast<uint8_t*>(out.raw_data()), static_cast<const scalar_t*>(lab.raw_data()), pixels,
        hw);
    check_launch("lab_to_rgb8");
  });
}

}  // namespace tint::color::cuda
