// Image geometry for the dataset pipeline: resampling a region of an image to a given size,
// the crop regions of evaluation (short side resized to the size, centre crop) and of
// training (resize-crop jitter: the short side scaled to size * m, m uniform in
// [1, max_scale], then a uniformly placed size x size crop), and horizontal flips.
//
// Resampling is separable, with a filter chosen per axis: area averaging along an axis that
// shrinks or keeps its size (each output pixel is the mean of the input span it covers,
// fractional pixels weighted, so shrinking does not alias and an aligned 1:1 copy is exact),
// bilinear along an axis that enlarges (sample at the output pixel's centre, edges clamped).
// Regions are in continuous source coordinates, pixel i covering [i, i + 1), so crops need
// not fall on pixel boundaries and the crop and the resize happen in one pass.
#pragma once

#include <cstdint>

#include "image_io.h"

namespace tint::apps {

// A rectangle of an image in continuous pixel coordinates.
struct Region {
  double x = 0, y = 0, width = 0, height = 0;
};

// The region covered by `out_width` x `out_height` pixels of the image resampled from
// `region`, as an RgbImage. The region must lie inside the image (up to rounding) and have
// a positive size; tint::Error otherwise.
RgbImage resample(const RgbImage& image, const Region& region, int out_width, int out_height);

// Evaluation crop: the centred square whose side is the short side (what "resize the short
// side to size, then centre-crop size x size" takes from the source).
Region center_square(int width, int height);

// Training crop: resizing the short side to size * m and then cropping size x size at
// fractions (u, v) in [0, 1] of the room left over takes from the source the square of side
// short / m at (u * (width - side), v * (height - side)), whatever the size. Needs m >= 1.
Region jitter_square(int width, int height, double m, double u, double v);

// Mirrors the image left-right in place.
void flip_horizontal(RgbImage& image);

}  // namespace tint::apps
