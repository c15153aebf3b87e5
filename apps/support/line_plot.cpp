// Line plot rendering (line_plot.h).
#include "line_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "framework/core/error.h"

namespace tint::apps {

namespace {

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::abs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

void draw_panel(RgbImage& img, const LinePanel& p, int ox, int oy, int w, int h) {
  const auto px = [&](double x) { return ox + (x - p.x_min) / (p.x_max - p.x_min) * (w - 1); };
  const auto py = [&](double y) { return oy + (p.y_max - y) / (p.y_max - p.y_min) * (h - 1); };
  const Rgb grid{225, 225, 225};
  for (double x = std::ceil(p.x_min / p.x_tick) * p.x_tick; x <= p.x_max + 1e-9 * p.x_tick;
       x += p.x_tick) {
    const int X = static_cast<int>(std::lround(px(x)));
    fill(img, X, oy, X + 1, oy + h, grid);
    fill(img, X, oy + h, X + 1, oy + h + 6, kBlack);
    const std::string label = tick_label(x);
    draw_text(img, X - text_width(label) / 2, oy + h + 10, label);
  }
  for (double y = std::ceil(p.y_min / p.y_tick) * p.y_tick; y <= p.y_max + 1e-9 * p.y_tick;
       y += p.y_tick) {
    const int Y = static_cast<int>(std::lround(py(y)));
    fill(img, ox, Y, ox + w, Y + 1, grid);
    fill(img, ox - 6, Y, ox, Y + 1, kBlack);
    const std::string label = tick_label(y);
    draw_text(img, ox - 10 - text_width(label), Y - 6, label);
  }
  frame(img, ox, oy, ox + w, oy + h);
  for (const Curve& c : p.curves) {
    for (size_t i = 1; i < c.x.size(); ++i) {
      // Clip each segment to the ranges by clamping (curves here are monotone and in range).
      const auto cx = [&](double v) { return std::clamp(v, p.x_min, p.x_max); };
      const auto cy = [&](double v) { return std::clamp(v, p.y_min, p.y_max); };
      draw_line(img, px(cx(c.x[i - 1])), py(cy(c.y[i - 1])), px(cx(c.x[i])), py(cy(c.y[i])),
                c.colour, 2);
    }
  }
  draw_text(img, ox + w / 2 - text_width(p.x_label) / 2, oy + h + 30, p.x_label);
  draw_text(img, ox - 60, oy - 22, p.y_label);
  draw_text(img, ox + w / 2 - text_width(p.title) / 2, oy - 44, p.title);
  // Legend: bottom right, one line per curve.
  const int line_h = 18;
  int legend_w = 0;
  for (const Curve& c : p.curves) legend_w = std::max(legend_w, text_width(c.name) + 34);
  const int lx = ox + w - legend_w - 10, ly = oy + h - 10 - line_h * int(p.curves.size());
  if (!p.curves.empty()) {
    fill(img, lx - 6, ly - 6, lx + legend_w, oy + h - 6, kWhite);
    frame(img, lx - 6, ly - 6, lx + legend_w, oy + h - 6, grid);
  }
  for (size_t i = 0; i < p.curves.size(); ++i) {
    const int y = ly + line_h * int(i);
    fill(img, lx, y + 6, lx + 24, y + 9, p.curves[i].colour);
    draw_text(img, lx + 30, y, p.curves[i].name);
  }
}

}  // namespace

Rgb tab10(int i) {
  static const Rgb kColours[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                   {148, 103, 189}, {140, 86, 75},  {227, 119, 194},
                                   {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  return kColours[((i % 10) + 10) % 10];
}

RgbImage plot_lines(const std::vector<LinePanel>& panels, int width, int height) {
  TINT_CHECK(!panels.empty(), "plot_lines: no panels to draw");
  TINT_CHECK(width >= 64 && height >= 64, "plot_lines: the plot area must be at least 64x64, got ",
             width, "x", height);
  for (const LinePanel& p : panels) {
    TINT_CHECK(p.x_max > p.x_min && p.y_max > p.y_min && p.x_tick > 0 && p.y_tick > 0,
               "plot_lines: panel '", p.title, "' has an empty axis range or a tick spacing <= 0");
    for (const Curve& c : p.curves)
      TINT_CHECK(c.x.size() == c.y.size() && c.x.size() >= 2, "plot_lines: curve '", c.name,
                 "' needs matching x and y with at least 2 points, got ", c.x.size(), " and ",
                 c.y.size());
  }
  const int left = 90, right = 30, top = 70, bottom = 60;
  const int panel_w = left + width + right;
  RgbImage img(panel_w * int(panels.size()), top + height + bottom, 255);
  for (size_t i = 0; i < panels.size(); ++i)
    draw_panel(img, panels[i], int(i) * panel_w + left, top, width, height);
  return img;
}

}  // namespace tint::apps
