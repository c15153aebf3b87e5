// sRGB <-> CIE Lab conversion (D65 white, 2-degree observer), exactly scikit-image's
// rgb2lab / lab2rgb conventions (see kernels/math/lab.h for the constants and branches).
// L is in [0, 100]; a and b roughly in [-110, 110] for sRGB colours.
//
// The conversions work on any device (cpu or cuda; the output lives where the input does)
// and are NOT differentiable: they prepare data, so their outputs never require grad and
// no gradient flows back to an input that requires one.
#pragma once

#include "framework/tensor/tensor.h"

namespace tint::color {

// Float sRGB (N, 3, H, W) in [0, 1], float32 or float64 -> Lab (N, 3, H, W), same dtype:
// channel 0 = L, 1 = a, 2 = b. Values outside [0, 1] are converted unclipped (as skimage).
Tensor rgb_to_lab(const Tensor& rgb);
// Lab (N, 3, H, W), float32 or float64 -> sRGB (N, 3, H, W), same dtype, clipped to [0, 1]
// (out-of-gamut Lab included).
Tensor lab_to_rgb(const Tensor& lab);

// uint8 image (H, W, 3) or (N, H, W, 3), as image files decode -> float32 Lab (N, 3, H, W)
// (N = 1 for an unbatched image). Bit-identical to rgb_to_lab of the image as float32 / 255.
Tensor rgb8_to_lab(const Tensor& image);
// Lab (N, 3, H, W), float32 or float64 -> uint8 image (N, H, W, 3): rint(255 * lab_to_rgb),
// ties to even, as skimage's img_as_ubyte.
Tensor lab_to_rgb8(const Tensor& lab);

}  // namespace tint::color
