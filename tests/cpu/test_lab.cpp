// Lab conversions (kernels/lab.h) against scikit-image's rgb2lab / lab2rgb through the
// fixtures of tests/fixtures/make_lab_fixtures.py (float64 skimage results), round trips,
// the uint8 paths against the float paths, layouts, and the error messages.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "framework/tint.h"
#include "kernels/lab.h"

using namespace tint;
using namespace tint::color;
using Catch::Matchers::Contains;

namespace {

SafetensorsFile lab_fixture(const std::string& name) {
  return load_safetensors(std::string(TINT_FIXTURE_DIR) + "/" + name + ".safetensors");
}

Tensor get(const SafetensorsFile& f, const std::string& name) {
  const auto it = f.tensors.find(name);
  if (it == f.tensors.end()) FAIL("lab fixture has no tensor " << name);
  return it->second;
}

// (K, 3) rows of pixels -> a (1, 3, K, 1) planar view (strided: the ops must cope) and back.
Tensor planar(const Tensor& rows) {
  return rows.reshape({1, rows.size(0), 1, 3}).permute({0, 3, 1, 2});
}
Tensor rows(const Tensor& planar_t) {
  return planar_t.permute({0, 2, 3, 1}).reshape({-1, 3});
}

// Largest |a - b|; NaN anywhere counts as infinitely wrong.
double max_err(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  double m = 0;
  for (size_t i = 0; i < va.size(); ++i) {
    const double d = std::abs(va[i] - vb[i]);
    if (!(d <= m)) m = std::isnan(d) ? std::numeric_limits<double>::infinity() : d;
  }
  return m;
}

Tensor as_f32(const Tensor& t) {
  return t.to(DType::Float32);
}

}  // namespace

TEST_CASE("rgb_to_lab matches skimage's rgb2lab over the RGB cube", "[lab]") {
  const SafetensorsFile f = lab_fixture("lab_rgb2lab");
  const Tensor cube8 = get(f, "cube.rgb8"), cube_lab = get(f, "cube.lab");

  // float32, the cube's levels v / 255 (rounded to float32 as a decoded image would be).
  const Tensor cube_rgb = as_f32(cube8) / 255.0;
  // Measured: 5.3e-5 on the cube and 5.3e-5 on the random and branch-point colours.
  CHECK(max_err(rows(rgb_to_lab(planar(cube_rgb))), cube_lab) <= 1e-3);
  CHECK(max_err(rows(rgb_to_lab(planar(get(f, "random.rgb")))), get(f, "random.lab")) <= 1e-3);

  // float64 follows skimage's arithmetic: only rounding differs. Measured: 2.2e-13.
  CHECK(max_err(rows(rgb_to_lab(planar(get(f, "exact.rgb")))), get(f, "exact.lab")) <= 1e-10);

  // The uint8 path is the float32 path on v / 255, bit for bit: (K, 1, 3) image -> (1, 3, K, 1).
  const Tensor image = cube8.reshape({cube8.size(0), 1, 3});
  const Tensor lab8 = rgb8_to_lab(image);
  CHECK(lab8.dtype() == DType::Float32);
  CHECK(lab8.shape() == Shape{1, 3, cube8.size(0), 1});
  CHECK(max_err(lab8, rgb_to_lab(planar(cube_rgb))) == 0.0);
}

TEST_CASE("lab_to_rgb matches skimage's lab2rgb, out-of-gamut Lab included", "[lab]") {
  const SafetensorsFile f = lab_fixture("lab_lab2rgb");
  // Measured: 8.8e-6 (float32), 1.3e-15 (float64).
  CHECK(max_err(rows(lab_to_rgb(planar(get(f, "grid.lab")))), get(f, "grid.rgb")) <= 1e-3);
  CHECK(max_err(rows(lab_to_rgb(planar(get(f, "exact.lab")))), get(f, "exact.rgb")) <= 1e-10);

  // Clipped into [0, 1] and never NaN, whatever the Lab value.
  const std::vector<float> rgb = lab_to_rgb(planar(get(f, "grid.lab"))).to_vector<float>();
  for (float v : rgb) REQUIRE((v >= 0.0f && v <= 1.0f));

  // The uint8 path is rint(255 * the float path), ties to even (skimage's img_as_ubyte).
  const Tensor lab = planar(get(f, "grid.lab"));
  const std::vector<uint8_t> got = lab_to_rgb8(lab).to_vector<uint8_t>();
  const std::vector<float> want = rows(lab_to_rgb(lab)).to_vector<float>();
  REQUIRE(got.size() == want.size());
  int64_t differ = 0;
  for (size_t i = 0; i < got.size(); ++i)
    differ += got[i] != static_cast<uint8_t>(std::nearbyint(want[i] * 255.0f));
  CHECK(differ == 0);
}

TEST_CASE("rgb -> lab -> rgb round trips", "[lab]") {
  const SafetensorsFile f = lab_fixture("lab_rgb2lab");
  // Measured: 5.6e-6 (float32, random and branch-point colours), 5.8e-6 (float32, cube) and
  // 9.1e-15 (float64, uniform colours). skimage's f(t) branches are not exact inverses for
  // t in (0.008856, 0.0088566) (kernels/math/lab.h), so float64 colours landing exactly there
  // round-trip only to ~5e-7, in skimage as here; uniform colours miss that sliver.
  for (const char* name : {"random.rgb", "exact.rgb"}) {
    const Tensor rgb = planar(get(f, name));
    const bool f64 = rgb.dtype() == DType::Float64;
    INFO(name);
    CHECK(max_err(lab_to_rgb(rgb_to_lab(rgb)), rgb.contiguous()) <= (f64 ? 1e-10 : 1e-4));
  }
  const Tensor cube_rgb = planar(as_f32(get(f, "cube.rgb8")) / 255.0);
  CHECK(max_err(lab_to_rgb(rgb_to_lab(cube_rgb)), cube_rgb.contiguous()) <= 1e-4);

  // A grey whose Y sits in that sliver: the round trip moves it by 4.5e-7, exactly as
  // skimage's lab2rgb(rgb2lab(x)) does (values from skimage 0.19.3, float64).
  const Tensor grey =
      full({1, 3, 1, 1}, 0.09221122481227806, TensorOptions{}.with_dtype(DType::Float64));
  const Tensor skimage_back = from_vector<double>(
      {0.09221167484802006, 0.0922115033600864, 0.09221118071543452}, {1, 3, 1, 1});
  CHECK(max_err(lab_to_rgb(rgb_to_lab(grey)), skimage_back) <= 1e-12);
}

TEST_CASE("every uint8 colour survives rgb8 -> lab -> rgb8 unchanged", "[lab]") {
  // All 2^24 colours, one red level at a time (a 256 x 256 image each).
  std::vector<uint8_t> pixels(256 * 256 * 3);
  int64_t changed = 0;
  for (int r = 0; r < 256; ++r) {
    for (int g = 0; g < 256; ++g)
      for (int b = 0; b < 256; ++b) {
        uint8_t* p = &pixels[(g * 256 + b) * 3];
        p[0] = static_cast<uint8_t>(r), p[1] = static_cast<uint8_t>(g),
        p[2] = static_cast<uint8_t>(b);
      }
    const Tensor image = from_vector(pixels, {256, 256, 3});
    const std::vector<uint8_t> back = lab_to_rgb8(rgb8_to_lab(image)).to_vector<uint8_t>();
    for (size_t i = 0; i < back.size(); ++i) changed += back[i] != pixels[i];
  }
  CHECK(changed == 0);
}

TEST_CASE("lab conversions keep batch and pixel layout", "[lab]") {
  // A batched (2, 5, 7, 3) image from the fixture's first 70 colours, against the per-row
  // conversion of the same colours (so N, H, W and the channel planes are indexed right).
  const SafetensorsFile f = lab_fixture("lab_rgb2lab");
  const Tensor colours = get(f, "cube.rgb8").slice(0, 1000, 1070);
  const Tensor image = colours.reshape({2, 5, 7, 3});
  const Tensor lab = rgb8_to_lab(image);
  REQUIRE(lab.shape() == Shape{2, 3, 5, 7});
  const Tensor want = rows(rgb8_to_lab(colours.reshape({70, 1, 3})));
  CHECK(max_err(lab.permute({0, 2, 3, 1}).reshape({70, 3}), want) == 0.0);

  const Tensor rgb = lab_to_rgb(lab);
  CHECK(rgb.shape() == Shape{2, 3, 5, 7});
  const Tensor rgb8 = lab_to_rgb8(lab);
  REQUIRE(rgb8.shape() == Shape{2, 5, 7, 3});
  CHECK(rgb8.to_vector<uint8_t>() == image.to_vector<uint8_t>());
  CHECK(max_err(as_f32(rgb8).permute({0, 3, 1, 2}) / 255.0, rgb) <= 0.5 / 255.0 + 1e-6);

  // rgb_to_lab / lab_to_rgb in float64 on the same batch agree with float32.
  const Tensor rgb64 = (as_f32(image).permute({0, 3, 1, 2}) / 255.0).to(DType::Float64);
  CHECK(max_err(rgb_to_lab(rgb64), lab) <= 1e-3);  // measured 3.7e-5

  // Empty batches are fine.
  CHECK(rgb_to_lab(zeros({0, 3, 4, 4})).shape() == Shape{0, 3, 4, 4});
  CHECK(lab_to_rgb8(zeros({0, 3, 4, 4})).shape() == Shape{0, 4, 4, 3});
}

TEST_CASE("lab conversions are not differentiable", "[lab]") {
  Tensor rgb = full({1, 3, 2, 2}, 0.5).set_requires_grad();
  const Tensor lab = rgb_to_lab(rgb);
  CHECK_FALSE(lab.requires_grad());
  CHECK_FALSE(lab_to_rgb(lab.detach().set_requires_grad()).requires_grad());
  // Mid grey, as skimage: (53.3889647, -0.00146849652, 0.00278358687); a and b are not
  // exactly 0 because skimage's matrix rows sum to (0.950456, 1, 1.088754), not its white.
  const std::vector<float> v = lab.to_vector<float>();
  CHECK(v[0] == Approx(53.3889647).margin(1e-4));
  CHECK(v[4] == Approx(-0.00146849652).margin(1e-5));
  CHECK(v[8] == Approx(0.00278358687).margin(1e-5));
}

TEST_CASE("lab conversions reject wrong shapes and dtypes", "[lab]") {
  CHECK_THROWS_WITH(rgb_to_lab(zeros({2, 4, 8, 8})),
                    Contains("rgb_to_lab: expected (N, 3, H, W) RGB, got shape [2, 4, 8, 8]"));
  CHECK_THROWS_WITH(rgb_to_lab(zeros({3, 8, 8})),
                    Contains("rgb_to_lab: expected (N, 3, H, W) RGB, got shape [3, 8, 8]"));
  CHECK_THROWS_WITH(rgb_to_lab(zeros({1, 3, 2, 2}, TensorOptions{}.with_dtype(DType::UInt8))),
                    Contains("rgb_to_lab: expected float32 or float64 RGB, got uint8"));
  CHECK_THROWS_WITH(rgb_to_lab(Tensor()), Contains("rgb_to_lab: the RGB input is an undefined"));
  CHECK_THROWS_WITH(lab_to_rgb(zeros({1, 2, 8, 8})),
                    Contains("lab_to_rgb: expected (N, 3, H, W) Lab, got shape [1, 2, 8, 8]"));
  CHECK_THROWS_WITH(lab_to_rgb(zeros({1, 3, 2, 2}, TensorOptions{}.with_dtype(DType::Int64))),
                    Contains("lab_to_rgb: expected float32 or float64 Lab, got int64"));
  CHECK_THROWS_WITH(lab_to_rgb8(zeros({8, 8, 3})),
                    Contains("lab_to_rgb8: expected (N, 3, H, W) Lab, got shape [8, 8, 3]"));
  CHECK_THROWS_WITH(rgb8_to_lab(zeros({8, 8, 4}, TensorOptions{}.with_dtype(DType::UInt8))),
                    Contains("rgb8_to_lab: expected a (H, W, 3) or (N, H, W, 3) RGB image, got "
                             "shape [8, 8, 4]"));
  CHECK_THROWS_WITH(rgb8_to_lab(zeros({8, 3}, TensorOptions{}.with_dtype(DType::UInt8))),
                    Contains("got shape [8, 3]"));
  CHECK_THROWS_WITH(rgb8_to_lab(zeros({8, 8, 3})),
                    Contains("rgb8_to_lab: expected a uint8 image, got float32"));
}
