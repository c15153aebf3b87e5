// The colorization grid: Lab triplets to RGB cells, tiled.
#include "train_grid.h"

#include <algorithm>

#include "framework/core/error.h"
#include "framework/ops/shape_ops.h"
#include "framework/tensor/factories.h"
#include "kernels/lab.h"

namespace tint::apps {

RgbImage colorization_grid(const Tensor& L, const Tensor& true_ab, const Tensor& pred_ab,
                           int triplets_per_row, int min_cell) {
  TINT_CHECK(L.dim() == 4 && L.size(1) == 1, "colorization_grid: L must be (N, 1, H, W), got ",
             shape_str(L.shape()));
  const int64_t n = L.size(0), h = L.size(2), w = L.size(3);
  const Shape ab_shape{n, 2, h, w};
  TINT_CHECK(true_ab.shape() == ab_shape && pred_ab.shape() == ab_shape,
             "colorization_grid: ab must be ", shape_str(ab_shape), " like L, got ",
             shape_str(true_ab.shape()), " and ", shape_str(pred_ab.shape()));
  TINT_CHECK(triplets_per_row > 0 && min_cell > 0, "colorization_grid: bad layout");
  const Tensor l = L.cpu().to(DType::Float32);
  const Tensor columns[3] = {
      color::lab_to_rgb8(cat({l, zeros({n, 2, h, w})}, 1)),
      color::lab_to_rgb8(cat({l, true_ab.cpu().to(DType::Float32)}, 1)),
      color::lab_to_rgb8(cat({l, pred_ab.cpu().to(DType::Float32)}, 1)),
  };
  std::vector<uint8_t> pixels[3];
  for (int c = 0; c < 3; ++c) pixels[c] = columns[c].contiguous().to_vector<uint8_t>();

  const int scale = static_cast<int>(std::max<int64_t>(1, (min_cell + h - 1) / h));
  const int cell_w = static_cast<int>(w) * scale, cell_h = static_cast<int>(h) * scale;
  const int gap = 2, group_gap = 8;
  const int per_row =
      static_cast<int>(std::min<int64_t>(triplets_per_row, std::max<int64_t>(n, 1)));
  const int rows = static_cast<int>((n + per_row - 1) / per_row);
  const int group_w = 3 * cell_w + 2 * gap;
  RgbImage grid(per_row * group_w + (per_row + 1) * group_gap,
                rows * cell_h + (rows + 1) * group_gap, 255);
  for (int64_t i = 0; i < n; ++i) {
    const int gx = group_gap + static_cast<int>(i % per_row) * (group_w + group_gap);
    const int gy = group_gap + static_cast<int>(i / per_row) * (cell_h + group_gap);
    for (int c = 0; c < 3; ++c) {
      const int ox = gx + c * (cell_w + gap);
      for (int y = 0; y < cell_h; ++y)
        for (int x = 0; x < cell_w; ++x) {
          const uint8_t* src = &pixels[c][((i * h + y / scale) * w + x / scale) * 3];
          std::copy(src, src + 3, grid.at(ox + x, gy + y));
        }
    }
  }
  return grid;
}

}  // namespace tint::apps
