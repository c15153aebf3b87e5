// The apps' image folder (apps/support/image_folder.h) on a folder the test writes with
// stb_image_write: recursive sorted listing by extension in any case, grey / grey+alpha /
// RGBA decoding, a truncated JPEG and a text file named .png skipped with one warning each,
// the errors for missing and image-less folders; area resizing; and the prior plot
// (apps/support/ab_plot.h). Hostile folders and files: symlink loops, linked folders and
// files listed once, unreadable subfolders (as an unprivileged user), FIFOs, devices, files
// over the size limit, images over the pixel limit or stb_image's. Needs tint_tests linked
// with tint_app_support.
#include <fcntl.h>
#include <stb_image_write.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "image_files.h"
#include "temp_dir.h"
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "apps/support/ab_plot.h"
#include "apps/support/dataset.h"
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

namespace {

// Runs fn as an unprivileged user (tests run as root in CI, and root reads a chmod 000 folder
// anyway): in a forked child that drops to nobody (65534) when this process is root, else
// here. fn returns text; a child's text comes back through a pipe. Empty on failure to fork.
std::string as_unprivileged(const std::function<std::string()>& fn) {
  if (::geteuid() != 0) return fn();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
      out = "could not drop privileges";
    } else {
      try {
        out = fn();
      } catch (const std::exception& e) {
        out = std::string("exception: ") + e.what();
      }
    }
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return text;
}

std::vector<std::string> relative_names(const std::vector<fs::path>& files, const fs::path& root) {
  std::vector<std::string> names;
  for (const fs::path& p : files) names.push_back(p.lexically_relative(root).generic_string());
  return names;
}

}  // namespace

TEST_CASE("image folders list each file once, report symlink loops and still end",
          "[image_folder][hostile]") {
  TempDir dir;
  const fs::path& root = dir.path;
  write_bytes(root / "a.png", png(2, 2, 1, {1, 2, 3, 4}));
  write_bytes(root / "sub" / "b.png", png(2, 2, 1, {5, 6, 7, 8}));
  fs::create_directory_symlink(".", root / "loop");           // ln -s . loop
  fs::create_directory_symlink("..", root / "sub" / "up");    // a loop one level down
  fs::create_directory_symlink("sub", root / "same_as_sub");  // the same folder, no loop
  fs::create_symlink("a.png", root / "z_link.png");           // the same file again
  fs::create_hard_link(root / "a.png", root / "sub" / "hard.png");
  TempDir elsewhere;  // a linked folder outside the root still counts
  write_bytes(elsewhere.path / "photos" / "c.png", png(2, 2, 1, {9, 9, 9, 9}));
  fs::create_directory_symlink(elsewhere.path / "photos", root / "extra");

  std::vector<std::string> warnings;
  const std::vector<fs::path> files =
      list_image_files(root.string(), [&](const std::string& w) { warnings.push_back(w); });
  // Each file under the first of its paths in sorted order ("a.png" < "same_as_sub/b.png" <
  // "sub/..."; the hard link and the symlink to a.png are a.png).
  CHECK(relative_names(files, root) ==
        std::vector<std::string>{"a.png", "extra/c.png", "same_as_sub/b.png"});
  REQUIRE(warnings.size() == 4);
  CHECK_THAT(warnings[0], Contains((root / "loop").string() + ": a symbolic link back to " +
                                   root.string() + ", a folder above it (a loop)"));
  CHECK_THAT(warnings[1], Contains((root / "same_as_sub" / "up").string()) &&
                              Contains("a symbolic link back to") && Contains("(a loop)"));
  CHECK_THAT(warnings[2], Contains((root / "sub").string() + ": the same folder as " +
                                   (root / "same_as_sub").string() + ", listed already"));
  // The hard link (met first, under same_as_sub/) and z_link.png: one line for both.
  CHECK_THAT(warnings[3], Contains("left out 2 files under " + root.string()) &&
                              Contains((root / "same_as_sub" / "hard.png").string() +
                                       " (the same file as " + (root / "a.png").string() + ")"));

  // A seeded split of a folder with a loop sees each photo once, so on one side only.
  size_t in_splits = 0;
  for (Split split : {Split::Train, Split::Val, Split::Test}) {
    try {
      in_splits += ImageDataset(root.string(), split, {.size = 4, .val_fraction = 0.34,
                                                       .test_fraction = 0.0},
                                [](const std::string&) {})
                       .size();
    } catch (const Error&) {  // the empty test split
    }
  }
  CHECK(in_splits == 3);
}

TEST_CASE("image folder warnings reach stderr once however often the folder is listed",
          "[image_folder][hostile]") {
  TempDir dir;
  for (int i = 0; i < 5; ++i)
    write_bytes(dir.path / (std::to_string(i) + ".png"), png(2, 2, 1, {1, 2, 3, 4}));
  fs::create_directory_symlink(".", dir.path / "loop");
  // Every split of a seeded folder lists all of it (a trainer lists train, val and test).
  TempDir capture;
  const std::string log = capture.file("stderr.txt");
  {
    // stderr goes to the log file until the end of this scope, however it is left.
    struct Redirect {
      int saved = -1;
      explicit Redirect(const std::string& path) {
        std::fflush(stderr);
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return;
        saved = ::dup(2);
        ::dup2(fd, 2);
        ::close(fd);
      }
      ~Redirect() {
        std::fflush(stderr);
        if (saved >= 0) ::dup2(saved, 2), ::close(saved);
      }
    } redirect(log);
    REQUIRE(redirect.saved >= 0);
    const ImageDataset train(dir.path.string(), Split::Train, {.size = 4});
    const ImageDataset val(dir.path.string(), Split::Val, {.size = 4});
    const ImageDataset test(dir.path.string(), Split::Test, {.size = 4});
    ImageFolder folder(dir.path.string());
  }
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t count = 0;
  for (size_t at = text.find("(a loop)"); at != std::string::npos;
       at = text.find("(a loop)", at + 1))
    ++count;
  CHECK(count == 1);
  CHECK_THAT(text, Contains("warning: skipping " + (dir.path / "loop").string()));
  CHECK_FALSE(warn_once("a line seen once " + dir.path.string()) ==
              warn_once("a line seen once " + dir.path.string()));
}

TEST_CASE("image folders warn about unreadable subfolders and non-regular image files",
          "[image_folder][hostile]") {
  TempDir dir;
  const fs::path& root = dir.path;
  write_bytes(root / "a.png", png(2, 2, 1, {1, 2, 3, 4}));
  write_bytes(root / "locked" / "hidden.png", png(2, 2, 1, {1, 2, 3, 4}));
  fs::permissions(root / "locked", fs::perms::none);
  REQUIRE(::mkfifo((root / "pipe.png").c_str(), 0644) == 0);
  fs::create_symlink("nowhere.png", root / "dangling.png");
  const std::string text = as_unprivileged([&] {
    std::string out;
    for (const fs::path& p : list_image_files(root.string(), [&](const std::string& w) {
           out += "W " + w + "\n";
         }))
      out += "F " + p.lexically_relative(root).string() + "\n";
    return out;
  });
  fs::permissions(root / "locked", fs::perms::owner_all);
  CHECK_THAT(text, Contains("F a.png\n"));
  CHECK_THAT(text, !Contains("hidden.png") && !Contains("F pipe.png") && !Contains("F dangling"));
  CHECK_THAT(text, Contains("W skipping the folder " + (root / "locked").string() +
                            ": it cannot be read (Permission denied)"));
  CHECK_THAT(text, Contains("W skipping " + (root / "pipe.png").string() +
                            ": it is not a regular file (a FIFO)"));
  CHECK_THAT(text, Contains("W skipping " + (root / "dangling.png").string() +
                            ": a symbolic link that cannot be followed (No such file or "
                            "directory)"));
  // The root itself unreadable is an error.
  fs::permissions(root, fs::perms::none);
  const std::string root_text = as_unprivileged([&] {
    try {
      list_image_files(root.string());
      return std::string("listed");
    } catch (const Error& e) {
      return std::string(e.what());
    }
  });
  fs::permissions(root, fs::perms::owner_all);
  CHECK_THAT(root_text, Contains("image folder " + root.string() + " cannot be read"));
}

namespace {

// PNG bytes whose header says width x height (the IHDR patched; stb_image does not check the
// CRC), with the pixel data of a 1 x 1 image: only the header can be read.
std::string png_claiming(uint32_t width, uint32_t height) {
  std::string bytes = png(1, 1, 1, {7});
  for (int i = 0; i < 4; ++i) {
    bytes[16 + i] = static_cast<char>(width >> (24 - 8 * i));
    bytes[20 + i] = static_cast<char>(height >> (24 - 8 * i));
  }
  return bytes;
}

}  // namespace

TEST_CASE("decoding refuses hostile image files before reading or decoding them",
          "[image_folder][hostile]") {
  TempDir dir;
  std::string reason;
  // A FIFO would block, /dev/zero never end: regular files only.
  REQUIRE(::mkfifo(dir.file("pipe.png").c_str(), 0644) == 0);
  CHECK_FALSE(decode_image(dir.file("pipe.png"), &reason).has_value());
  CHECK(reason == "is not a regular file (a FIFO)");
  CHECK_FALSE(decode_image("/dev/zero", &reason).has_value());
  CHECK(reason == "is not a regular file (a character device)");
  CHECK_FALSE(decode_image(dir.file("missing.png"), &reason).has_value());
  CHECK(reason == "does not exist");
  CHECK_FALSE(decode_image(dir.path, &reason).has_value());
  CHECK(reason == "is a folder, not a file");
  // A file over the size limit is refused before it is read (a sparse 3 GB file).
  {
    std::ofstream(dir.file("huge.png")) << "x";
    fs::resize_file(dir.file("huge.png"), 3'000'000'000ull);
    CHECK_FALSE(decode_image(dir.file("huge.png"), &reason).has_value());
    CHECK(reason == "is 3000000000 bytes, over the limit of " +
                        std::to_string(max_image_file_bytes(kDefaultMaxPixels)) + " bytes");
    fs::remove(dir.file("huge.png"));
  }
  CHECK(max_image_file_bytes(kDefaultMaxPixels) == 800'000'000ull + (16ull << 20));
  CHECK(max_image_file_bytes(int64_t(1) << 40) == 2147483647ull);
  // Over the pixel limit: refused from the header, before decoding (this file's pixel data is
  // a single pixel; decoding 12000 x 12000 would need 144 MB).
  write_bytes(dir.path / "big.png", png_claiming(12000, 12000));
  CHECK_FALSE(decode_image(dir.file("big.png"), &reason).has_value());
  CHECK(reason ==
        "is 12000 x 12000 = 144000000 pixels, over the limit of 100000000 pixels (--max-pixels)");
  // Within a raised limit the header gets past, and the missing data is then what is wrong.
  CHECK_FALSE(decode_image(dir.file("big.png"), &reason, nullptr, 200'000'000).has_value());
  CHECK(reason == "holds corrupt or truncated image data");
  // A real PNG beyond stb_image's side limit says so, not "not a PNG".
  write_bytes(dir.path / "long.png", png_claiming((1u << 24) + 1, 1));
  CHECK_FALSE(decode_image(dir.file("long.png"), &reason).has_value());
  CHECK(reason == "is a PNG of 16777217 x 1 = 16777217 pixels, larger than stb_image reads (at "
                  "most 16777216 pixels on a side)");
  // A small real image within its own limit decodes; under a lower one it is refused.
  write_bytes(dir.path / "small.png", png(20, 20, 1, std::vector<uint8_t>(400, 9)));
  CHECK(decode_image(dir.file("small.png"), &reason, nullptr, 400).has_value());
  CHECK_FALSE(decode_image(dir.file("small.png"), &reason, nullptr, 399).has_value());
  CHECK(reason == "is 20 x 20 = 400 pixels, over the limit of 399 pixels (--max-pixels)");
  // A symbolic link to a regular file is fine.
  fs::create_symlink(dir.path / "small.png", dir.path / "link.png");
  CHECK(decode_image(dir.file("link.png")).has_value());
  // ImageFolder and ImageDataset skip such files with one warning each.
  std::vector<std::string> warnings;
  ImageFolder folder(dir.path.string(), [&](const std::string& w) { warnings.push_back(w); });
  folder.set_max_pixels(399);
  REQUIRE(folder.size() == 3);  // big, link, long (small.png is link.png again; the FIFO is out)
  for (size_t i = 0; i < folder.size(); ++i) CHECK_FALSE(folder.load(i).has_value());
  CHECK(folder.skipped() == 3);
  REQUIRE(warnings.size() >= 3);
  CHECK_THAT(warnings[warnings.size() - 2],
             Contains("link.png: it is 20 x 20 = 400 pixels, over the limit"));
}
