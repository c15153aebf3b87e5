// CUDA kernels of the Lab conversions: one thread per pixel (a 2-D grid: pixels of an image
// by images), each calling the same TINT_HD per-pixel math as the CPU loops
// (kernels/math/lab.h). Planar tensors are
// (N, 3, H, W); interleaved images (N, H, W, 3) uint8. Inputs and outputs are contiguous.
#include "framework/core/dtype.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/lab.h"
#include "kernels/math/lab.h"

namespace tint::color::cuda {

namespace {

// Grid: x over the H*W pixels of an image, y over images (grid-stride in both), so a thread
// finds its offsets by multiplication: no 64-bit division per pixel.
#define TINT_FOR_PIXELS(n_images, hw)                                                       \
  for (int64_t img = blockIdx.y; img < (n_images); img += gridDim.y)                          \
    for (int64_t q = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; q < (hw); \
         q += static_cast<int64_t>(blockDim.x) * gridDim.x)

template <typename T>
__global__ void rgb_to_lab_kernel(T* out, const T* in, int64_t n_images, int64_t hw) {
  TINT_FOR_PIXELS(n_images, hw) math::rgb_to_lab_at(out, in, img * 3 * hw + q, hw);
}

template <typename T>
__global__ void lab_to_rgb_kernel(T* out, const T* in, int64_t n_images, int64_t hw) {
  TINT_FOR_PIXELS(n_images, hw) math::lab_to_rgb_at(out, in, img * 3 * hw + q, hw);
}

__global__ void rgb8_to_lab_kernel(float* out, const uint8_t* in, int64_t n_images, int64_t hw) {
  TINT_FOR_PIXELS(n_images, hw) math::rgb8_to_lab_at(out, in, img * 3 * hw + q, img * hw + q, hw);
}

template <typename T>
__global__ void lab_to_rgb8_kernel(uint8_t* out, const T* in, int64_t n_images, int64_t hw) {
  TINT_FOR_PIXELS(n_images, hw) math::lab_to_rgb8_at(out, in, img * 3 * hw + q, img * hw + q, hw);
}

#undef TINT_FOR_PIXELS

int64_t plane_of(const Tensor& planar) {
  return planar.size(2) * planar.size(3);
}

dim3 grid_for(int64_t n_images, int64_t hw) {
  return dim3(blocks_for(hw), static_cast<unsigned>(n_images < 65535 ? n_images : 65535));
}

}  // namespace

void rgb_to_lab(const Tensor& out, const Tensor& rgb) {
  const int64_t hw = plane_of(rgb), n = rgb.size(0);
  if (n * hw == 0) return;
  TINT_DISPATCH_FLOATING(rgb.dtype(), "rgb_to_lab", [&] {
    rgb_to_lab_kernel<<<grid_for(n, hw), kThreads, 0, stream_of(out)>>>(
        static_cast<scalar_t*>(out.raw_data()), static_cast<const scalar_t*>(rgb.raw_data()),
        n, hw);
    check_launch("rgb_to_lab");
  });
}

void lab_to_rgb(const Tensor& out, const Tensor& lab) {
  const int64_t hw = plane_of(lab), n = lab.size(0);
  if (n * hw == 0) return;
  TINT_DISPATCH_FLOATING(lab.dtype(), "lab_to_rgb", [&] {
    lab_to_rgb_kernel<<<grid_for(n, hw), kThreads, 0, stream_of(out)>>>(
        static_cast<scalar_t*>(out.raw_data()), static_cast<const scalar_t*>(lab.raw_data()),
        n, hw);
    check_launch("lab_to_rgb");
  });
}

void rgb8_to_lab(const Tensor& out, const Tensor& image) {
  const int64_t hw = plane_of(out), n = out.size(0);
  if (n * hw == 0) return;
  rgb8_to_lab_kernel<<<grid_for(n, hw), kThreads, 0, stream_of(out)>>>(
      static_cast<float*>(out.raw_data()), static_cast<const uint8_t*>(image.raw_data()), n, hw);
  check_launch("rgb8_to_lab");
}

void lab_to_rgb8(const Tensor& out, const Tensor& lab) {
  const int64_t hw = plane_of(lab), n = lab.size(0);
  if (n * hw == 0) return;
  TINT_DISPATCH_FLOATING(lab.dtype(), "lab_to_rgb8", [&] {
    lab_to_rgb8_kernel<<<grid_for(n, hw), kThreads, 0, stream_of(out)>>>(
        static_cast<uint8_t*>(out.raw_data()), static_cast<const scalar_t*>(lab.raw_data()), n,
        hw);
    check_launch("lab_to_rgb8");
  });
}

}  // namespace tint::color::cuda
