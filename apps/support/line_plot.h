// Line plots as PNG-ready images for the apps (apps/evaluate's cumulative error histograms):
// one or more panels side by side, each with curves, a frame, ticks with labels, axis names,
// a title and a legend. Drawn with raster.h, no plotting library.
#pragma once

#include <string>
#include <vector>

#include "image_io.h"
#include "raster.h"

namespace tint::apps {

struct Curve {
  std::string name;            // the legend's text
  std::vector<double> x, y;    // same length, at least 2 points
  Rgb colour{31, 119, 180};
};

struct LinePanel {
  std::string title, x_label, y_label;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;  // the axes' ranges (x_min < x_max, ...)
  double x_tick = 0.25, y_tick = 0.25;                // spacing of labelled ticks (> 0)
  std::vector<Curve> curves;
};

// Matplotlib's first colours ("tab10"), for curve i (cycling).
Rgb tab10(int i);

// The panels left to right, each plot area width x height pixels. Points outside the ranges
// are clipped. tint::Error for no panels, a curve with mismatched or fewer than 2 points, or
// an empty range.
RgbImage plot_lines(const std::vector<LinePanel>& panels, int width = 480, int height = 360);

}  // namespace tint::apps
