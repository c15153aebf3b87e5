// Per-pixel sRGB <-> CIE Lab math (D65 white, 2-degree observer), shared by the CPU loops and
// the CUDA kernels. It follows scikit-image's rgb2lab/lab2rgb (skimage/color/colorconv.py)
// constant for constant and branch for branch, including their quirks, so results agree
// with it to rounding:
//  - sRGB decoding switches at 0.04045, encoding at 0.0031308 (IEC 61966-2-1);
//  - the XYZ matrix is the sRGB one skimage uses (0.412453, ...), and its inverse is the
//    float64 inverse numpy computes (scipy.linalg.inv), written out to 17 digits;
//  - f(t) = cbrt(t) above 0.008856, else 7.787 t + 16/116; its inverse switches at
//    0.2068966 (not at cbrt(0.008856) = 0.2068930, so the two are not exact inverses for
//    t in (0.008856, 0.0088566): there a round trip moves by up to ~1e-7);
//  - on the way back, a Lab value with z = (L + 16)/116 - b/200 < 0 gets z = 0 (skimage does
//    that and warns), x may stay negative; the final RGB is clipped to [0, 1].
// Everything is computed in T (float for float32 tensors): float32 stays within 1e-3 of
// skimage's float64 over the whole cube (see tests/cpu/test_lab.cpp for measured numbers).
// Inputs outside [0, 1] (rgb_to_lab) go through the same formulas unclipped, as in skimage.
#pragma once

#include <cmath>
#include <cstdint>

#include "framework/core/hd.h"

namespace tint::color::math {

// The per-pixel cost on a GPU is arithmetic, not memory, unless it is kept lean: divisions by
// constants are multiplications by their reciprocals (within an ulp of the division), and the
// sRGB powers are exp2(e * log2(x)) (x > 0 on those branches; within a few ulps of pow). (f's
// cube root stays cbrt: as exp2(log2(t) / 3) the H100 kernel ran 10 % slower.)
template <typename T>
TINT_HD T power_of_positive(T x, T e) {
  return std::exp2(e * std::log2(x));
}

// sRGB (gamma-encoded) component -> linear light.
template <typename T>
TINT_HD T srgb_to_linear(T v) {
  return v > T(0.04045) ? power_of_positive((v + T(0.055)) * T(1.0 / 1.055), T(2.4))
                        : v * T(1.0 / 12.92);
}

// Linear light -> sRGB (gamma-encoded), not clipped.
template <typename T>
TINT_HD T linear_to_srgb(T v) {
  return v > T(0.0031308) ? T(1.055) * power_of_positive(v, T(1.0 / 2.4)) - T(0.055)
                          : v * T(12.92);
}

// CIE f(t) and its inverse as skimage writes them.
template <typename T>
TINT_HD T lab_f(T t) {
  return t > T(0.008856) ? std::cbrt(t) : T(7.787) * t + T(16.0 / 116.0);
}
template <typename T>
TINT_HD T lab_f_inverse(T f) {
  return f > T(0.2068966) ? f * f * f : (f - T(16.0 / 116.0)) * T(1.0 / 7.787);
}

template <typename T>
TINT_HD T clip01(T v) {
  return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);  // NaN passes through, as np.clip
}

// One pixel: sRGB in [0, 1] -> L in [0, 100], a, b.
template <typename T>
TINT_HD void rgb_to_lab(T r, T g, T b, T& L, T& A, T& B) {
  r = srgb_to_linear(r);
  g = srgb_to_linear(g);
  b = srgb_to_linear(b);
  // XYZ, each divided by the D65 white (0.95047, 1, 1.08883) as skimage divides.
  const T x = (T(0.412453) * r + T(0.357580) * g + T(0.180423) * b) * T(1.0 / 0.95047);
  const T y = T(0.212671) * r + T(0.715160) * g + T(0.072169) * b;
  const T z = (T(0.019334) * r + T(0.119193) * g + T(0.950227) * b) * T(1.0 / 1.08883);
  const T fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
  L = T(116) * fy - T(16);
  A = T(500) * (fx - fy);
  B = T(200) * (fy - fz);
}

// One pixel: Lab -> sRGB clipped to [0, 1].
template <typename T>
TINT_HD void lab_to_rgb(T L, T A, T B, T& r, T& g, T& b) {
  const T fy = (L + T(16)) * T(1.0 / 116);
  const T fx = A * T(1.0 / 500) + fy;
  T fz = fy - B * T(1.0 / 200);
  if (fz < T(0)) fz = T(0);  // skimage: "Color data out of range: Z < 0", set to 0
  const T x = lab_f_inverse(fx) * T(0.95047);
  const T y = lab_f_inverse(fy);
  const T z = lab_f_inverse(fz) * T(1.08883);
  // numpy's inverse of the sRGB->XYZ matrix above.
  r = T(3.2404813432005266) * x + T(-1.5371515162713183) * y + T(-0.4985363261688878) * z;
  g = T(-0.9692549499965682) * x + T(1.8759900014898907) * y + T(0.04155592655829284) * z;
  b = T(0.055646639135177166) * x + T(-0.20404133836651123) * y + T(1.0573110696453443) * z;
  r = clip01(linear_to_srgb(r));
  g = clip01(linear_to_srgb(g));
  b = clip01(linear_to_srgb(b));
}

// uint8 <-> [0, 1] as skimage's img_as_float (v / 255) and img_as_ubyte (rint(v * 255),
// ties to even). v is already in [0, 1]; NaN maps to 0.
template <typename T>
TINT_HD T from_u8(uint8_t v) {
  return T(v) / T(255);  // exact division: img_as_float's values bit for bit
}
template <typename T>
TINT_HD uint8_t to_u8(T v) {
  const T s = std::rint(v * T(255));
  return s >= T(0) ? static_cast<uint8_t>(s > T(255) ? T(255) : s) : uint8_t(0);
}

// Offset of channel 0 of pixel p (over N*H*W pixels) in a contiguous (N, 3, H, W) tensor;
// channels 1 and 2 follow at + hw and + 2 hw.
TINT_HD int64_t planar_base(int64_t p, int64_t hw) {
  return (p / hw) * 3 * hw + p % hw;
}

// One pixel of the planar (N, 3, H, W) conversions, as the CPU loop and the CUDA kernel
// both run it: the *_at forms take the offset i of its channel 0 (channels 1 and 2 at + hw,
// + 2 hw) and, for the interleaved uint8 side, its pixel index p over N*H*W (the kernels
// know both without dividing); the *_pixel forms take p alone. Results go through locals,
// so out may alias in.
template <typename T>
TINT_HD void rgb_to_lab_at(T* out, const T* in, int64_t i, int64_t hw) {
  T L, A, B;
  rgb_to_lab(in[i], in[i + hw], in[i + 2 * hw], L, A, B);
  out[i] = L, out[i + hw] = A, out[i + 2 * hw] = B;
}
template <typename T>
TINT_HD void rgb_to_lab_pixel(T* out, const T* in, int64_t p, int64_t hw) {
  rgb_to_lab_at(out, in, planar_base(p, hw), hw);
}

template <typename T>
TINT_HD void lab_to_rgb_at(T* out, const T* in, int64_t i, int64_t hw) {
  T r, g, b;
  lab_to_rgb(in[i], in[i + hw], in[i + 2 * hw], r, g, b);
  out[i] = r, out[i + hw] = g, out[i + 2 * hw] = b;
}
template <typename T>
TINT_HD void lab_to_rgb_pixel(T* out, const T* in, int64_t p, int64_t hw) {
  lab_to_rgb_at(out, in, planar_base(p, hw), hw);
}

// uint8 (N, H, W, 3) pixel p to float32 planar Lab.
TINT_HD void rgb8_to_lab_at(float* out, const uint8_t* in, int64_t i, int64_t p, int64_t hw) {
  const uint8_t* px = in + 3 * p;
  float L, A, B;
  rgb_to_lab(from_u8<float>(px[0]), from_u8<float>(px[1]), from_u8<float>(px[2]), L, A, B);
  out[i] = L, out[i + hw] = A, out[i + 2 * hw] = B;
}
TINT_HD void rgb8_to_lab_pixel(float* out, const uint8_t* in, int64_t p, int64_t hw) {
  rgb8_to_lab_at(out, in, planar_base(p, hw), p, hw);
}

// Planar Lab pixel p to uint8 (N, H, W, 3).
template <typename T>
TINT_HD void lab_to_rgb8_at(uint8_t* out, const T* in, int64_t i, int64_t p, int64_t hw) {
  T r, g, b;
  lab_to_rgb(in[i], in[i + hw], in[i + 2 * hw], r, g, b);
  uint8_t* px = out + 3 * p;
  px[0] = to_u8(r), px[1] = to_u8(g), px[2] = to_u8(b);
}
template <typename T>
TINT_HD void lab_to_rgb8_pixel(uint8_t* out, const T* in, int64_t p, int64_t hw) {
  lab_to_rgb8_at(out, in, planar_base(p, hw), p, hw);
}

}  // namespace tint::color::math
