// The trainer's tests' fixtures (tests/cpu/test_train_colorizer.cpp,
// tests/cuda/test_train_graph_parity.cpp): generated images whose colours follow from their
// lightness, and a small training run's settings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "apps/support/image_io.h"
#include "apps/support/train_config.h"

namespace tint::testing {

inline uint32_t next_scene_random(uint32_t& s) {
  return (s = s * 1664525u + 1013904223u) >> 8;
}

// A 32 x 32 scene whose colours follow from lightness: a green background (L ~ 52,
// a ~ -45, b ~ +38) with two or three rectangles, each either bright yellow (L ~ 86,
// b ~ +80) or dark blue (L ~ 22, b ~ -55), with a little noise. Every pixel is far from
// grey, so the Gray baseline does poorly and a network that maps L to colour does well.
inline apps::RgbImage scene(uint32_t seed) {
  apps::RgbImage image(32, 32);
  uint32_t s = seed * 2654435761u + 17;
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) {
      uint8_t* p = image.at(x, y);
      const int n = static_cast<int>(next_scene_random(s) % 12);
      p[0] = 60 + n, p[1] = 140 + n, p[2] = 60 + n;
    }
  const int shapes = 2 + static_cast<int>(next_scene_random(s) % 2);
  for (int k = 0; k < shapes; ++k) {
    const bool yellow = next_scene_random(s) % 2 == 0;
    const int w = 8 + static_cast<int>(next_scene_random(s) % 12), h = 8 + static_cast<int>(next_scene_random(s) % 12);
    const int x0 = static_cast<int>(next_scene_random(s) % (32 - w)), y0 = static_cast<int>(next_scene_random(s) % (32 - h));
    for (int y = y0; y < y0 + h; ++y)
      for (int x = x0; x < x0 + w; ++x) {
        uint8_t* p = image.at(x, y);
        const int n = static_cast<int>(next_scene_random(s) % 10);
        if (yellow)
          p[0] = 240 + n / 2, p[1] = 210 + n, p[2] = 30 + n;
        else
          p[0] = 30 + n, p[1] = 40 + n, p[2] = 150 + n;
      }
  }
  return image;
}

// train + val scenes as PNGs under root/train and root/val (scene_0.png, ...).
inline void make_scene_folder(const std::filesystem::path& root, int train, int val) {
  for (int i = 0; i < train + val; ++i) {
    const std::filesystem::path dir = root / (i < train ? "train" : "val");
    std::filesystem::create_directories(dir);
    write_png((dir / ("scene_" + std::to_string(i) + ".png")).string(), scene(i));
  }
}

// A small run on a scene folder, on the cpu: 32x32, width 1/8, batch 8, Adam lr 1e-3, seed 3.
inline apps::TrainConfig small_train_config(const std::filesystem::path& data,
                                            const std::filesystem::path& out) {
  apps::TrainConfig c;
  c.data = data.string();
  c.out = out.string();
  c.size = 32;
  c.width = 0.125;
  c.batch = 8;
  c.lr = 1e-3;
  c.device = "cpu";
  c.seed = 3;
  c.threads = 1;
  c.grid_images = 4;
  return c;
}

}  // namespace tint::testing
