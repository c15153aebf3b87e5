// Drawing on RgbImage for the apps' plots: filled rectangles, lines, and text rasterised from
// stb_easy_font's quads (axis-aligned rectangles), so no font library is needed.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "image_io.h"

namespace tint::apps {

using Rgb = std::array<uint8_t, 3>;
inline constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kInk{40, 40, 40};

// Fills [x0, x1) x [y0, y1), clipped to the image.
void fill(RgbImage& img, int x0, int y0, int x1, int y1, const Rgb& c);
// A one-pixel frame around [x0, x1) x [y0, y1) (drawn just outside it).
void frame(RgbImage& img, int x0, int y0, int x1, int y1, const Rgb& c = kBlack);
// A straight line from (x0, y0) to (x1, y1), thickness pixels wide, clipped to the image.
void draw_line(RgbImage& img, double x0, double y0, double x1, double y1, const Rgb& c,
               int thickness = 1);
// Width in pixels of text drawn at the given magnification (glyphs are ~7 px high at 1).
int text_width(const std::string& text, int scale = 2);
// Text with its top-left corner at (x, y).
void draw_text(RgbImage& img, int x, int y, const std::string& text, const Rgb& c = kInk,
               int scale = 2);

}  // namespace tint::apps
