// The ab-plane prior plot: geometry and colour map (drawing primitives in raster.h).
#include "ab_plot.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "framework/core/error.h"
#include "framework/tensor/factories.h"
#include "kernels/ab_bins.h"
#include "kernels/lab.h"
#include "raster.h"

namespace tint::apps {

namespace {

constexpr int kScale = 3;             // pixels per ab unit
constexpr int kLo = -120, kHi = 120;  // ab range of both axes
constexpr int kPlot = (kHi - kLo) * kScale;
const Rgb kGamutBg{228, 228, 228};

// One panel's plot area: top-left corner in the image.
struct Panel {
  int ox, oy;
  int x(double a) const { return ox + static_cast<int>(std::lround((a - kLo) * kScale)); }
  int y(double b) const { return oy + static_cast<int>(std::lround((kHi - b) * kScale)); }
};

// Background, bins (colour per bin), zero axes, frame, ticks with labels, axis names, title.
void draw_panel(RgbImage& img, const Panel& p, const std::vector<Rgb>& colours,
                const std::string& title) {
  const color::AbBins& bins = color::AbBins::standard();
  fill(img, p.ox, p.oy, p.ox + kPlot, p.oy + kPlot, kGamutBg);
  for (int64_t q = 0; q < bins.size(); ++q)
    fill(img, p.x(bins.a(q) - 5), p.y(bins.b(q) + 5), p.x(bins.a(q) + 5) - 1,
         p.y(bins.b(q) - 5) - 1, colours[q]);
  // a = 0 and b = 0, blended half-way to black so they read on any bin colour.
  for (int i = 0; i < kPlot; ++i) {
    for (uint8_t* px : {img.at(p.x(0), p.oy + i), img.at(p.ox + i, p.y(0))})
      for (int c = 0; c < 3; ++c) px[c] = static_cast<uint8_t>(px[c] / 2);
  }
  frame(img, p.ox, p.oy, p.ox + kPlot, p.oy + kPlot);
  for (int v = -100; v <= 100; v += 50) {
    const std::string label = std::to_string(v);
    fill(img, p.x(v), p.oy + kPlot + 1, p.x(v) + 1, p.oy + kPlot + 7, kBlack);  // a ticks
    draw_text(img, p.x(v) - text_width(label) / 2, p.oy + kPlot + 10, label);
    fill(img, p.ox - 7, p.y(v), p.ox - 1, p.y(v) + 1, kBlack);  // b ticks
    draw_text(img, p.ox - 10 - text_width(label), p.y(v) - 6, label);
  }
  draw_text(img, p.ox + kPlot / 2 - text_width("a") / 2, p.oy + kPlot + 30, "a");
  draw_text(img, p.ox - 62, p.oy + kPlot / 2 - 6, "b");
  draw_text(img, p.ox + kPlot / 2 - text_width(title) / 2, p.oy - 26, title);
}

}  // namespace

std::array<uint8_t, 3> viridis(double t) {
  static const double kStops[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},
                                      {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
                                      {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
  t = std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0) * 8;
  const int i = std::min(static_cast<int>(t), 7);
  const double f = t - i;
  std::array<uint8_t, 3> out;
  for (int c = 0; c < 3; ++c)
    out[c] =
        static_cast<uint8_t>(std::lround(kStops[i][c] + f * (kStops[i + 1][c] - kStops[i][c])));
  return out;
}

RgbImage plot_ab_prior(const Tensor& probabilities, const std::string& title) {
  const color::AbBins& bins = color::AbBins::standard();
  TINT_CHECK(probabilities.defined() && probabilities.dim() == 1 &&
                 probabilities.shape()[0] == bins.size(),
             "plot_ab_prior: expected (", bins.size(), ") probabilities, got ",
             probabilities.defined() ? describe(probabilities) : "an undefined tensor");
  const std::vector<double> p = probabilities.to_vector<double>();
  double hi = -INFINITY, lo_all = INFINITY;
  for (double v : p)
    if (v > 0) hi = std::max(hi, std::log10(v)), lo_all = std::min(lo_all, std::log10(v));
  TINT_CHECK(std::isfinite(hi), "plot_ab_prior: every probability is zero or invalid");
  double lo = std::max(lo_all, hi - 6.0);
  if (hi - lo < 1e-9) lo = hi - 1;  // a uniform prior still gets a scale

  std::vector<Rgb> scaled(bins.size()), gamut(bins.size());
  for (int64_t q = 0; q < bins.size(); ++q)
    scaled[q] = viridis(p[q] > 0 ? (std::log10(p[q]) - lo) / (hi - lo) : 0.0);
  // The bins' colours at L = 50 through the same Lab conversion as the data.
  std::vector<float> lab(3 * bins.size());
  for (int64_t q = 0; q < bins.size(); ++q)
    lab[q] = 50, lab[bins.size() + q] = bins.a(q), lab[2 * bins.size() + q] = bins.b(q);
  const std::vector<uint8_t> rgb =
      color::lab_to_rgb8(from_vector(lab, {1, 3, 1, bins.size()})).to_vector<uint8_t>();
  for (int64_t q = 0; q < bins.size(); ++q) gamut[q] = {rgb[3 * q], rgb[3 * q + 1], rgb[3 * q + 2]};

  // Layout: [margin | panel 1 | colour bar + labels | margin | panel 2 | margin].
  const int left = 80, top = title.empty() ? 50 : 80, bar_gap = 24, bar_w = 24;
  const Panel p1{left, top};
  const int bar_x = p1.ox + kPlot + bar_gap;
  const Panel p2{bar_x + bar_w + 90 + left, top};
  RgbImage img(p2.ox + kPlot + 30, top + kPlot + 60, 255);
  if (!title.empty()) draw_text(img, p1.ox, 16, title);
  draw_panel(img, p1, scaled, "log10 p, smoothed prior");
  draw_panel(img, p2, gamut, "bins at L = 50");

  // Colour bar: lo at the bottom, hi at the top, ticks at whole decades.
  for (int i = 0; i < kPlot; ++i)
    fill(img, bar_x, p1.oy + kPlot - 1 - i, bar_x + bar_w, p1.oy + kPlot - i,
         viridis(double(i) / (kPlot - 1)));
  frame(img, bar_x, p1.oy, bar_x + bar_w, p1.oy + kPlot);
  for (int d = static_cast<int>(std::ceil(lo - 1e-9)); d <= static_cast<int>(std::floor(hi + 1e-9));
       ++d) {
    const int y =
        p1.oy + kPlot - 1 - static_cast<int>(std::lround((d - lo) / (hi - lo) * (kPlot - 1)));
    fill(img, bar_x + bar_w + 1, y, bar_x + bar_w + 7, y + 1, kBlack);
    draw_text(img, bar_x + bar_w + 10, y - 6, std::to_string(d));
  }
  return img;
}

}  // namespace tint::apps
