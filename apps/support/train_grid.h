// The colorization grid PNG of the trainer: for each image a triplet of cells, input grey |
// ground truth | colorization, two triplets per row, separated by white gaps; small images
// are enlarged by an integer factor (nearest) so every cell is at least min_cell pixels.
#pragma once

#include "framework/tensor/tensor.h"
#include "image_io.h"

namespace tint::apps {

// L (N, 1, H, W), true_ab and pred_ab (N, 2, H, W), all in Lab units on any device (pred_ab
// already at the L's full resolution). Each cell is lab_to_rgb8 of (L, a, b) with a = b = 0
// for the grey cell.
RgbImage colorization_grid(const Tensor& L, const Tensor& true_ab, const Tensor& pred_ab,
                           int triplets_per_row = 2, int min_cell = 128);

}  // namespace tint::apps
