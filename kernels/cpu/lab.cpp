// Host loops of the Lab conversions: one OpenMP loop over pixels, each pixel one call of the
// TINT_HD math in kernels/math/lab.h (no per-pixel allocation).
#include "kernels/cpu/lab.h"

#include "framework/core/dtype.h"
#include "kernels/math/lab.h"

namespace tint::color::cpu {

namespace {

// Pixels per thread below which threading costs more than it saves (~100 ns per pixel).
constexpr int64_t kParallelGrain = 4096;

// (N, 3, H, W) -> number of pixels N*H*W and plane size H*W.
int64_t plane_of(const Tensor& planar) {
  return planar.size(2) * planar.size(3);
}

template <typename T>
void rgb_to_lab_loop(T* out, const T* in, int64_t pixels, int64_t hw) {
#pragma omp parallel for if (pixels > kParallelGrain)
  for (int64_t p = 0; p < pixels; ++p) math::rgb_to_lab_pixel(out, in, p, hw);
}

template <typename T>
void lab_to_rgb_loop(T* out, const T* in, int64_t pixels, int64_t hw) {
#pragma omp parallel for if (pixels > kParallelGrain)
  for (int64_t p = 0; p < pixels; ++p) math::lab_to_rgb_pixel(out, in, p, hw);
}

void rgb8_to_lab_loop(float* out, const uint8_t* in, int64_t pixels, int64_t hw) {
#pragma omp parallel for if (pixels > kParallelGrain)
  for (int64_t p = 0; p < pixels; ++p) math::rgb8_to_lab_pixel(out, in, p, hw);
}

template <typename T>
void lab_to_rgb8_loop(uint8_t* out, const T* in, int64_t pixels, int64_t hw) {
#pragma omp parallel for if (pixels > kParallelGrain)
  for (int64_t p = 0; p < pixels; ++p) math::lab_to_rgb8_pixel(out, in, p, hw);
}

}  // namespace

void rgb_to_lab(const Tensor& out, const Tensor& rgb) {
  const int64_t hw = plane_of(rgb), pixels = rgb.numel() / 3;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(rgb.dtype(), "rgb_to_lab", [&] {
    rgb_to_lab_loop(out.data<scalar_t>(), rgb.data<scalar_t>(), pixels, hw);
  });
}

void lab_to_rgb(const Tensor& out, const Tensor& lab) {
  const int64_t hw = plane_of(lab), pixels = lab.numel() / 3;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(lab.dtype(), "lab_to_rgb", [&] {
    lab_to_rgb_loop(out.data<scalar_t>(), lab.data<scalar_t>(), pixels, hw);
  });
}

void rgb8_to_lab(const Tensor& out, const Tensor& image) {
  const int64_t hw = plane_of(out), pixels = out.numel() / 3;
  if (pixels == 0) return;
  rgb8_to_lab_loop(out.data<float>(), image.data<uint8_t>(), pixels, hw);
}

void lab_to_rgb8(const Tensor& out, const Tensor& lab) {
  const int64_t hw = plane_of(lab), pixels = lab.numel() / 3;
  if (pixels == 0) return;
  TINT_DISPATCH_FLOATING(lab.dtype(), "lab_to_rgb8", [&] {
    lab_to_rgb8_loop(out.data<uint8_t>(), lab.data<scalar_t>(), pixels, hw);
  });
}

}  // namespace tint::color::cpu
