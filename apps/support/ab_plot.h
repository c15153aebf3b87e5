// Plots on the ab plane for the apps: the class-rebalancing prior as a PNG-ready image (two
// panels: the smoothed probability of each of the 313 bins on a log10 colour scale, and each
// bin in its own colour at L = 50, the quantised gamut of Zhang et al.'s Figure 2/3), plus
// the viridis colour map it uses (drawing primitives: raster.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "framework/tensor/tensor.h"
#include "image_io.h"

namespace tint::apps {

// Viridis (matplotlib's default colour map) at t in [0, 1], piecewise linear through 9 of its
// samples: dark violet (0) -> blue -> teal -> green -> yellow (1). t is clamped.
std::array<uint8_t, 3> viridis(double t);

// a to the right, b upwards, both -120..120 (every bin's 10 x 10 square fits). Left panel:
// log10 of probabilities (313, a distribution over AbBins::standard()) with a colour bar; the
// scale spans at most 6 decades below the largest bin, lower values take the darkest colour.
// Right panel: each bin's centre colour at L = 50 (kernels/lab.h lab_to_rgb8). Bins are
// drawn with a 1-pixel gap so they can be counted; cells outside the 313 stay light grey.
// title, when given, is printed above the left panel's own title.
RgbImage plot_ab_prior(const Tensor& probabilities, const std::string& title = "");

}  // namespace tint::apps
