// The apps' image folder (apps/support/image_folder.h) on a folder the test writes with
// stb_image_write: recursive sorted listing by extension in any case, grey / grey+alpha /
// RGBA decoding, a truncated JPEG and a text file named .png skipped with one warning each,
// the errors for missing and image-less folders; area resizing; and the prior plot
// (apps/support/ab_plot.h). Needs tint_tests linked with tint_app_support.
#include <stb_image_write.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "image_files.h"
#include "temp_dir.h"
#include <filesystem>
#include <fstream>

#include "apps/support/ab_plot.h"
#include "apps/support/image_folder.h"
#include "framework/tint.h"
#include "kernels/ab_bins.h"
#include "kernels/lab.h"

using namespace tint;
using namespace tint::apps;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using tint::testing::append_bytes;
using tint::testing::png;
using tint::testing::write_bytes;

namespace {

using tint::testing::TempDir;

// A noisy colour image, so the JPEG has real scan data to cut.
std::vector<uint8_t> noise_rgb(int w, int h) {
  std::vector<uint8_t> v(size_t(w) * h * 3);
  uint32_t s = 12345;
  for (auto& x : v) x = static_cast<uint8_t>((s = s * 1664525u + 1013904223u) >> 24);
  return v;
}

// The test folder:
//   a_grey.png (1 channel)  b_rgba.png (4)  c_grey_alpha.png (2)  d_photo.JPG
//   e_truncated.jpg (first half of a JPEG)  f_text.png (text)  notes.txt
//   sub/deeper/g_deep.bmp  sub/h_shot.TGA  empty_sub/
struct Folder {
  TempDir dir;
  Folder() {
    const fs::path& p = dir.path;
    write_bytes(p / "a_grey.png", png(3, 2, 1, {0, 50, 100, 150, 200, 255}));
    write_bytes(p / "b_rgba.png", png(2, 2, 4,
                                      {10, 20, 30, 255, 10, 20, 30, 0,  //
                                       200, 100, 0, 128, 0, 0, 0, 255}));
    write_bytes(p / "c_grey_alpha.png", png(2, 1, 2, {80, 255, 80, 0}));
    std::string jpg;
    REQUIRE(stbi_write_jpg_to_func(append_bytes, &jpg, 64, 48, 3, noise_rgb(64, 48).data(), 90) != 0);
    write_bytes(p / "d_photo.JPG", jpg);
    write_bytes(p / "e_truncated.jpg", jpg.substr(0, jpg.size() / 2));
    write_bytes(p / "f_text.png", "this is not a PNG\n");
    write_bytes(p / "notes.txt", "not an image");
    std::string bmp, tga;
    REQUIRE(stbi_write_bmp_to_func(append_bytes, &bmp, 5, 4, 3, noise_rgb(5, 4).data()) != 0);
    REQUIRE(stbi_write_tga_to_func(append_bytes, &tga, 4, 5, 3, noise_rgb(4, 5).data()) != 0);
    write_bytes(p / "sub" / "deeper" / "g_deep.bmp", bmp);
    write_bytes(p / "sub" / "h_shot.TGA", tga);
    fs::create_directories(p / "empty_sub");
  }
};

}  // namespace

TEST_CASE("image folders list image files recursively, sorted, any extension case",
          "[prior][image_folder]") {
  Folder f;
  std::vector<std::string> names;
  for (const fs::path& p : list_image_files(f.dir.path.string()))
    names.push_back(fs::relative(p, f.dir.path).string());
  CHECK(names == std::vector<std::string>{"a_grey.png", "b_rgba.png", "c_grey_alpha.png",
                                          "d_photo.JPG", "e_truncated.jpg", "f_text.png",
                                          "sub/deeper/g_deep.bmp", "sub/h_shot.TGA"});
  CHECK(has_image_extension("x.JpEg"));
  CHECK_FALSE(has_image_extension("x.gif"));
  CHECK_FALSE(has_image_extension("jpg"));
}

TEST_CASE("image folders decode grey, alpha and colour, and skip unreadable files",
          "[prior][image_folder]") {
  Folder f;
  std::vector<std::string> warnings;
  ImageFolder folder(f.dir.path.string(), [&](const std::string& w) { warnings.push_back(w); });
  REQUIRE(folder.size() == 8);
  std::vector<std::optional<RgbImage>> images;
  for (size_t i = 0; i < folder.size(); ++i) images.push_back(folder.load(i));

  const RgbImage& grey = *images[0];
  CHECK(grey.width == 3);
  CHECK(grey.height == 2);
  CHECK(grey.pixels == std::vector<uint8_t>{0, 0, 0, 50, 50, 50, 100, 100, 100, 150, 150, 150, 200,
                                            200, 200, 255, 255, 255});
  // RGBA over white: opaque kept, transparent -> white, alpha 128 -> rounded mix.
  const RgbImage& rgba = *images[1];
  CHECK(rgba.pixels == std::vector<uint8_t>{
                           10, 20, 30, 255, 255, 255, (200 * 128 + 255 * 127 + 127) / 255,
                           (100 * 128 + 255 * 127 + 127) / 255, (255 * 127 + 127) / 255, 0, 0, 0});
  CHECK(images[2]->pixels == std::vector<uint8_t>{80, 80, 80, 255, 255, 255});
  CHECK(images[3]->width == 64);
  CHECK(images[3]->height == 48);
  CHECK_FALSE(images[4].has_value());  // truncated JPEG
  CHECK_FALSE(images[5].has_value());  // text named .png
  CHECK(images[6]->width == 5);
  CHECK(images[7]->height == 5);
  CHECK(images[6]->pixels == noise_rgb(5, 4));  // BMP and TGA are lossless
  CHECK(images[7]->pixels == noise_rgb(4, 5));

  CHECK(folder.skipped() == 2);
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[0], Contains("e_truncated.jpg") && Contains("truncated"));
  CHECK_THAT(warnings[1], Contains("f_text.png") && Contains("not a JPEG, PNG, BMP or TGA"));

  folder.set_background(0, 0, 0);
  CHECK(folder.load(2)->pixels == std::vector<uint8_t>{80, 80, 80, 0, 0, 0});
  CHECK_THROWS_WITH(folder.load(8), Contains("image 8 requested, the folder has 8"));
}

TEST_CASE("image folders without images are clear errors", "[prior][image_folder]") {
  TempDir dir;
  const std::string root = dir.path.string();
  CHECK_THROWS_WITH(ImageFolder(root), Contains(root + " holds no image files"));
  write_bytes(dir.path / "sub" / "readme.txt", "text");
  write_bytes(dir.path / "sub" / "image.gif", "GIF89a");
  CHECK_THROWS_WITH(list_image_files(root), Contains("holds no image files"));
  CHECK_THROWS_WITH(list_image_files(root + "/missing"), Contains("missing does not exist"));
  CHECK_THROWS_WITH(list_image_files(root + "/sub/readme.txt"),
                    Contains("readme.txt is not a folder"));
}

TEST_CASE("area resizing averages what each output pixel covers", "[prior][image_folder]") {
  RgbImage img(4, 2);
  for (int x = 0; x < 4; ++x)
    for (int y = 0; y < 2; ++y)
      img.at(x, y)[0] = static_cast<uint8_t>(40 * x + 100 * y), img.at(x, y)[2] = 7;
  RgbImage half = resize_area(img, 2, 1);
  CHECK(half.at(0, 0)[0] == 70);   // mean of 0, 40, 100, 140
  CHECK(half.at(1, 0)[0] == 150);  // mean of 80, 120, 180, 220
  CHECK(half.at(1, 0)[2] == 7);
  RgbImage three = resize_area(img, 3, 2);  // each covers 4/3 input pixels
  CHECK(three.at(0, 0)[0] == 10);           // (0 * 1 + 40 / 3) / (4 / 3) = 10
  CHECK(three.at(1, 0)[0] == 60);           // (40 * 2/3 + 80 * 2/3) / (4 / 3)
  RgbImage twice = resize_area(img, 8, 4);  // enlarging repeats pixels
  CHECK(twice.at(3, 3)[0] == 140);
  CHECK(twice.at(7, 0)[0] == 120);
  CHECK_THROWS_WITH(resize_area(img, 0, 3), Contains("sizes must be positive"));
}

TEST_CASE("the prior plot draws each bin in its colour at L = 50", "[prior][image_folder]") {
  CHECK(viridis(0) == std::array<uint8_t, 3>{68, 1, 84});
  CHECK(viridis(1) == std::array<uint8_t, 3>{253, 231, 37});
  CHECK(viridis(2) == viridis(1));
  const color::AbBins& bins = color::AbBins::standard();
  std::vector<double> p(bins.size(), 0.0);
  p[120] = 0.5;  // (0, 0)
  p[200] = 0.5;
  RgbImage img = plot_ab_prior(from_vector(p, {bins.size()}));
  REQUIRE(img.width > 1000);
  REQUIRE(img.height > 700);
  // Find both panels' frames on the row through b = 0 by the colour of bin (0, 0): the left
  // panel shows it as the top of the scale (yellow), the right as mid grey.
  std::vector<float> lab = {50.0f, 0.0f, 0.0f};
  const std::vector<uint8_t> grey =
      color::lab_to_rgb8(from_vector(lab, {1, 3, 1, 1})).to_vector<uint8_t>();
  int yellow = 0, mid_grey = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* px = img.at(x, y);
      yellow += px[0] == 253 && px[1] == 231 && px[2] == 37;
      mid_grey += px[0] == grey[0] && px[1] == grey[1] && px[2] == grey[2];
    }
  // Each bin is a 29 x 29 square (30 px with a 1-pixel gap); the zero axes cross bin 120.
  CHECK(yellow >= 2 * 29 * 29 - 2 * 29);  // two bins at the top of the scale
  CHECK(mid_grey >= 29 * 29 - 2 * 29);    // bin 120 in the gamut panel
  CHECK_THROWS_WITH(plot_ab_prior(zeros({5})), Contains("expected (313) probabilities"));
}
