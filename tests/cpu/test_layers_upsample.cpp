// upsample_nearest2d and upsample_bilinear2d: nearest repeats pixels, bilinear reproduces a
// linear ramp (with PyTorch's align_corners=false edge clamping), size versus scale-factor
// source steps, float64 gradchecks, and argument errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include "framework/tint.h"
#include "gradcheck.h"

using namespace tint;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

// A (1, 1, h, w) plane with value a*row + b*col + c.
Tensor ramp(int64_t h, int64_t w, double a, double b, double c) {
  std::vector<double> v;
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j) v.push_back(a * i + b * j + c);
  return from_vector(v, {1, 1, h, w});
}

// align_corners=false source coordinate, clamped to the pixel centres that exist.
double source_coord(int64_t dst, int64_t in, double step) {
  const double s = (dst + 0.5) * step - 0.5;
  return std::clamp(s, 0.0, static_cast<double>(in - 1));
}

}  // namespace

TEST_CASE("nearest upsampling by 2 repeats every pixel in a 2x2 block", "[layers]") {
  Generator gen(1);
  const Tensor x = rand({2, 3, 3, 4}, gen, kF64);
  for (const UpsampleSize& size : {UpsampleSize::scale(2.0), UpsampleSize::size(6, 8)}) {
    const Tensor y = upsample_nearest2d(x, size);
    REQUIRE(y.shape() == Shape{2, 3, 6, 8});
    const std::vector<double> xv = x.to_vector<double>(), yv = y.to_vector<double>();
    for (int64_t p = 0; p < 6; ++p)
      for (int64_t i = 0; i < 6; ++i)
        for (int64_t j = 0; j < 8; ++j)
          CHECK(yv[(p * 6 + i) * 8 + j] == xv[(p * 3 + i / 2) * 4 + j / 2]);
  }
  // float32 too.
  CHECK(upsample_nearest2d(x.to(DType::Float32), UpsampleSize::scale(2.0)).dtype() ==
        DType::Float32);
}

TEST_CASE("nearest upsampling to a size picks floor(dst * in / out)", "[layers]") {
  // 3x5 -> 7x4: rows floor(i * 3/7), columns floor(j * 5/4); also a downsample 5x7 -> 2x3.
  for (auto [ih, iw, oh, ow] : {std::array<int64_t, 4>{3, 5, 7, 4}, {5, 7, 2, 3}}) {
    const Tensor x = ramp(ih, iw, 100, 1, 0);  // value encodes (row, col)
    const std::vector<double> y =
        upsample_nearest2d(x, UpsampleSize::size(oh, ow)).to_vector<double>();
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t si = std::min(i * ih / oh, ih - 1), sj = std::min(j * iw / ow, iw - 1);
        CHECK(y[i * ow + j] == 100.0 * si + sj);
      }
  }
}

TEST_CASE("bilinear upsampling reproduces a linear ramp, clamped at the borders", "[layers]") {
  struct Case {
    int64_t ih, iw;
    UpsampleSize size;
    double step_h, step_w;  // expected source step per output pixel
  };
  const Case cases[] = {
      {3, 5, UpsampleSize::size(7, 4), 3.0 / 7, 5.0 / 4},
      {4, 4, UpsampleSize::scale(2.0), 0.5, 0.5},
      // A factor keeps 1/factor as the step even though out = floor(in * factor) would give
      // a different in/out (5 * 1.7 -> 8, in/out = 0.625 but 1/1.7 = 0.588).
      {5, 3, UpsampleSize::scale(1.7, 2.5), 1 / 1.7, 1 / 2.5},
      {6, 5, UpsampleSize::size(4, 2), 6.0 / 4, 5.0 / 2},
  };
  const double a = 0.7, b = -1.3, c = 2.0;
  for (const Case& k : cases) {
    const Tensor y = upsample_bilinear2d(ramp(k.ih, k.iw, a, b, c), k.size);
    const int64_t oh = y.size(2), ow = y.size(3);
    if (k.size.out_h == 0) {
      CHECK(oh == static_cast<int64_t>(std::floor(k.ih * k.size.scale_h)));
      CHECK(ow == static_cast<int64_t>(std::floor(k.iw * k.size.scale_w)));
    }
    const std::vector<double> yv = y.to_vector<double>();
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        INFO(k.ih << "x" << k.iw << " -> " << oh << "x" << ow << " at " << i << "," << j);
        CHECK(yv[i * ow + j] == Approx(a * source_coord(i, k.ih, k.step_h) +
                                       b * source_coord(j, k.iw, k.step_w) + c)
                                    .epsilon(1e-12)
                                    .margin(1e-12));
      }
  }
}

TEST_CASE("bilinear: same size is the identity; weights of each output sum to one",
          "[layers]") {
  Generator gen(2);
  const Tensor x = rand({2, 2, 5, 3}, gen, kF64).set_requires_grad();
  CHECK(max_abs_diff(upsample_bilinear2d(x, UpsampleSize::size(5, 3)), x.detach()) == 0.0);
  const Tensor y = upsample_bilinear2d(x, UpsampleSize::size(9, 8));
  sum(y).backward();
  // Each output pixel hands out weights summing to one, so the gradient totals 9*8 per plane.
  CHECK(sum(x.grad()).item() == Approx(4 * 9 * 8));
  const Tensor c = full({1, 1, 3, 3}, 4.0, kF64);
  for (double v : upsample_bilinear2d(c, UpsampleSize::scale(3.0)).to_vector<double>())
    CHECK(v == Approx(4.0));
}

TEST_CASE("upsample gradients match finite differences", "[layers]") {
  const UpsampleSize sizes[] = {UpsampleSize::size(7, 4), UpsampleSize::scale(2.0),
                                UpsampleSize::scale(1.5, 2.5), UpsampleSize::size(2, 3)};
  for (bool bilinear : {false, true}) {
    for (const UpsampleSize& size : sizes) {
      const Tensor x = leaf64({2, 3, 3, 5}, 71);
      INFO((bilinear ? "bilinear" : "nearest") << " out " << size.out_h << "x" << size.out_w
                                               << " scale " << size.scale_h << "x" << size.scale_w);
      CHECK(gradcheck([&](const std::vector<Tensor>& in) {
        return bilinear ? upsample_bilinear2d(in[0], size) : upsample_nearest2d(in[0], size);
      }, {x}) == "");
    }
  }
}

TEST_CASE("upsample rejects bad input and sizes", "[layers]") {
  CHECK_THROWS_WITH(upsample_bilinear2d(zeros({3, 4, 5}), UpsampleSize::scale(2.0)),
                    Contains("upsample_bilinear2d") && Contains("4-D") && Contains("[3, 4, 5]"));
  CHECK_THROWS_WITH(upsample_nearest2d(zeros({1, 1, 4, 4}), UpsampleSize{}),
                    Contains("upsample_nearest2d") && Contains("scale"));
  CHECK_THROWS_WITH(
      upsample_nearest2d(zeros({1, 1, 4, 4}), UpsampleSize::size(3, -1)),
      Contains("upsample_nearest2d") && Contains("3x-1") && Contains("[1, 1, 4, 4]"));
  CHECK_THROWS_WITH(upsample_bilinear2d(zeros({1, 1, 4, 4}), UpsampleSize::scale(0.1)),
                    Contains("empty output"));
  const Tensor ints = zeros({1, 1, 2, 2}, TensorOptions{}.with_dtype(DType::Int64));
  CHECK_THROWS_WITH(upsample_nearest2d(ints, UpsampleSize::scale(2.0)),
                    Contains("upsample_nearest2d") && Contains("int64"));
}
