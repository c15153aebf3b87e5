// Rectangles, lines and stb_easy_font text on RgbImage (raster.h).
#include "raster.h"

#include <stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace tint::apps {

void fill(RgbImage& img, int x0, int y0, int x1, int y1, const Rgb& c) {
  x0 = std::max(x0, 0), y0 = std::max(y0, 0);
  x1 = std::min(x1, img.width), y1 = std::min(y1, img.height);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) std::copy(c.begin(), c.end(), img.at(x, y));
}

void frame(RgbImage& img, int x0, int y0, int x1, int y1, const Rgb& c) {
  fill(img, x0 - 1, y0 - 1, x1 + 1, y0, c);
  fill(img, x0 - 1, y1, x1 + 1, y1 + 1, c);
  fill(img, x0 - 1, y0, x0, y1, c);
  fill(img, x1, y0, x1 + 1, y1, c);
}

void draw_line(RgbImage& img, double x0, double y0, double x1, double y1, const Rgb& c,
               int thickness) {
  const double steps = std::max({std::abs(x1 - x0), std::abs(y1 - y0), 1.0});
  const int lo = -(thickness - 1) / 2, hi = thickness / 2 + 1;
  for (int i = 0; i <= static_cast<int>(std::ceil(steps)); ++i) {
    const double t = std::min(i / steps, 1.0);
    const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0)));
    const int y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
    fill(img, x + lo, y + lo, x + hi, y + hi, c);
  }
}

int text_width(const std::string& text, int scale) {
  return stb_easy_font_width(const_cast<char*>(text.c_str())) * scale;
}

void draw_text(RgbImage& img, int x, int y, const std::string& text, const Rgb& c, int scale) {
  std::vector<char> quads(text.size() * 1024 + 1024);  // a glyph takes up to ~10 quads of 64 bytes
  const int n = stb_easy_font_print(0, 0, const_cast<char*>(text.c_str()), nullptr, quads.data(),
                                    static_cast<int>(quads.size()));
  for (int q = 0; q < n; ++q) {
    const float* v0 = reinterpret_cast<const float*>(quads.data() + q * 64);
    const float* v2 = reinterpret_cast<const float*>(quads.data() + q * 64 + 32);
    fill(img, x + int(v0[0]) * scale, y + int(v0[1]) * scale, x + int(v2[0]) * scale,
         y + int(v2[1]) * scale, c);
  }
}

}  // namespace tint::apps
