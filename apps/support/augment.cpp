// Separable region resampling (area when shrinking, bilinear when enlarging), the evaluation
// and training crop regions, and flips.
#include "augment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "framework/core/error.h"

namespace tint::apps {

namespace {

// For each output pixel along one axis: the source pixels it reads and their weights
// (normalised to sum 1), stored flat.
struct AxisTaps {
  std::vector<int> start, count;  // per output pixel: offset into index/weight, tap count
  std::vector<int> index;
  std::vector<float> weight;
  int lo = 0, hi = 0;  // the source pixels read by any output pixel: [lo, hi)
};

AxisTaps axis_taps(int n_src, double x0, double length, int n_out) {
  AxisTaps t;
  t.start.resize(n_out);
  t.count.resize(n_out);
  t.lo = n_src, t.hi = 0;
  const double scale = length / n_out;
  const auto add = [&](int i, double w) {
    t.index.push_back(i);
    t.weight.push_back(static_cast<float>(w));
    t.lo = std::min(t.lo, i), t.hi = std::max(t.hi, i + 1);
  };
  for (int o = 0; o < n_out; ++o) {
    t.start[o] = static_cast<int>(t.index.size());
    if (scale >= 1.0 - 1e-9) {
      // Area: the span [a, b) of the source that output pixel o covers.
      const double a = std::clamp(x0 + o * scale, 0.0, double(n_src));
      const double b = std::clamp(x0 + (o + 1) * scale, 0.0, double(n_src));
      double total = 0;
      const size_t first = t.weight.size();
      for (int i = static_cast<int>(std::floor(a)); i < std::min<int>(n_src, std::ceil(b)); ++i) {
        const double w = std::min<double>(i + 1, b) - std::max<double>(i, a);
        if (w > 1e-9) add(i, w), total += w;
      }
      if (total <= 0) {  // a span squeezed to nothing by rounding: the nearest pixel
        add(std::clamp(static_cast<int>(std::floor(a)), 0, n_src - 1), 1.0);
        total = 1;
      }
      for (size_t k = first; k < t.weight.size(); ++k)
        t.weight[k] = static_cast<float>(t.weight[k] / total);
    } else {
      // Bilinear at the output pixel's centre, in index coordinates (pixel i's centre is i).
      const double p = x0 + (o + 0.5) * scale - 0.5;
      const int i0 = static_cast<int>(std::floor(p));
      const double f = p - i0;
      const int a = std::clamp(i0, 0, n_src - 1), b = std::clamp(i0 + 1, 0, n_src - 1);
      if (a == b) {
        add(a, 1.0);
      } else {
        add(a, 1.0 - f);
        add(b, f);
      }
    }
    t.count[o] = static_cast<int>(t.index.size()) - t.start[o];
  }
  return t;
}

}  // namespace

RgbImage resample(const RgbImage& image, const Region& r, int out_width, int out_height) {
  TINT_CHECK(image.width > 0 && image.height > 0 &&
                 image.pixels.size() == size_t(image.width) * image.height * 3,
             "resample: the image is empty or its pixel buffer has the wrong size");
  TINT_CHECK(out_width > 0 && out_height > 0, "resample: the output size must be positive, got ",
             out_width, "x", out_height);
  const double eps = 1e-6;
  TINT_CHECK(r.width > 0 && r.height > 0 && r.x >= -eps && r.y >= -eps &&
                 r.x + r.width <= image.width + eps && r.y + r.height <= image.height + eps,
             "resample: region (x ", r.x, ", y ", r.y, ", ", r.width, "x", r.height,
             ") is empty or outside the ", image.width, "x", image.height, " image");
  const AxisTaps tx = axis_taps(image.width, r.x, r.width, out_width);
  const AxisTaps ty = axis_taps(image.height, r.y, r.height, out_height);

  // Horizontal pass over the rows the vertical pass reads.
  const int rows = ty.hi - ty.lo;
  std::vector<float> tmp(size_t(rows) * out_width * 3);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = &image.pixels[size_t(ty.lo + y) * image.width * 3];
    float* dst = &tmp[size_t(y) * out_width * 3];
    for (int o = 0; o < out_width; ++o) {
      float acc[3] = {0, 0, 0};
      for (int k = tx.start[o]; k < tx.start[o] + tx.count[o]; ++k) {
        const uint8_t* p = src + size_t(tx.index[k]) * 3;
        const float w = tx.weight[k];
        acc[0] += w * p[0], acc[1] += w * p[1], acc[2] += w * p[2];
      }
      dst[o * 3] = acc[0], dst[o * 3 + 1] = acc[1], dst[o * 3 + 2] = acc[2];
    }
  }
  // Vertical pass, rounded to the nearest integer.
  RgbImage out(out_width, out_height);
  const size_t row = size_t(out_width) * 3;
  std::vector<float> acc(row);
  for (int o = 0; o < out_height; ++o) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (int k = ty.start[o]; k < ty.start[o] + ty.count[o]; ++k) {
      const float* src = &tmp[size_t(ty.index[k] - ty.lo) * row];
      const float w = ty.weight[k];
      for (size_t j = 0; j < row; ++j) acc[j] += w * src[j];
    }
    uint8_t* dst = &out.pixels[size_t(o) * row];
    for (size_t j = 0; j < row; ++j)
      dst[j] = static_cast<uint8_t>(std::clamp(acc[j], 0.0f, 255.0f) + 0.5f);
  }
  return out;
}

Region center_square(int width, int height) {
  TINT_CHECK(width > 0 && height > 0, "center_square: the image is empty (", width, "x", height,
             ")");
  const double side = std::min(width, height);
  return {(width - side) / 2, (height - side) / 2, side, side};
}

Region jitter_square(int width, int height, double m, double u, double v) {
  TINT_CHECK(width > 0 && height > 0, "jitter_square: the image is empty (", width, "x", height,
             ")");
  TINT_CHECK(m >= 1.0, "jitter_square: the scale must be at least 1, got ", m);
  const double side = std::min(width, height) / m;
  return {std::clamp(u, 0.0, 1.0) * (width - side), std::clamp(v, 0.0, 1.0) * (height - side), side,
          side};
}

void flip_horizontal(RgbImage& image) {
  for (int y = 0; y < image.height; ++y) {
    uint8_t* row = &image.pixels[size_t(y) * image.width * 3];
    for (int a = 0, b = image.width - 1; a < b; ++a, --b)
      std::swap_ranges(row + a * 3, row + a * 3 + 3, row + b * 3);
  }
}

}  // namespace tint::apps
