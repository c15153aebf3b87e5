// The data pipeline (apps/support/dataset.h, augment.h) on folders the test writes with
// stb_image_write: region resampling (area / bilinear) and crop regions; decoding grey,
// RGBA, 1x1, 3x2, odd-sized, nested and corrupt files to size x size; seeded 60/20/20 splits
// (deterministic, disjoint, nearly stable when files are added); train/ val/ test/
// subfolders; augmentation as a pure function of (seed, epoch, index); BatchLoader batches
// (shapes, dtype, ids, order, drop_last, Lab conversion), shutdown mid-epoch, waiting time,
// worker errors; and the error sentences. Needs tint_tests linked with tint_app_support.
#include <stb_image_write.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "apps/support/augment.h"
#include "apps/support/dataset.h"
#include "apps/support/image_folder.h"
#include "framework/tint.h"
#include "kernels/lab.h"
#include "image_files.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::apps;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using tint::testing::append_bytes;
using tint::testing::png;
using tint::testing::write_bytes;

namespace {

using tint::testing::TempDir;

std::vector<uint8_t> noise(size_t n, uint32_t s = 12345) {
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>((s = s * 1664525u + 1013904223u) >> 24);
  return v;
}

std::string noise_png(int w, int h, uint32_t seed = 1) {
  return png(w, h, 3, noise(size_t(w) * h * 3, seed));
}

std::string jpeg(int w, int h, uint32_t seed = 1) {
  std::string bytes;
  REQUIRE(stbi_write_jpg_to_func(append_bytes, &bytes, w, h, 3, noise(size_t(w) * h * 3, seed).data(),
                                 90) != 0);
  return bytes;
}

RgbImage noise_image(int w, int h, uint32_t seed = 1) {
  RgbImage img(w, h);
  img.pixels = noise(img.pixels.size(), seed);
  return img;
}

bool uniform_colour(const RgbImage& img, uint8_t r, uint8_t g, uint8_t b) {
  for (size_t i = 0; i < img.pixels.size(); i += 3)
    if (img.pixels[i] != r || img.pixels[i + 1] != g || img.pixels[i + 2] != b) return false;
  return true;
}

std::vector<std::string> ids_of(const ImageDataset& d) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < d.size(); ++i) ids.push_back(d.id(i));
  return ids;
}

// n small PNGs under root/img_align_celeba/ (CelebA's flat layout), named 000001.png, ...
void flat_folder(const fs::path& root, int n) {
  for (int i = 1; i <= n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%06d.png", i);
    write_bytes(root / "img_align_celeba" / name, noise_png(3, 4, i));
  }
}

// An in-memory source of size x size images; image i is filled with value i (all channels),
// optionally slow, throwing at one index, or of the wrong size at one index.
struct FakeSource : ImageSource {
  size_t n = 10;
  int sz = 4;
  int delay_ms = 0;
  int64_t throw_at = -1, wrong_size_at = -1, unreadable_at = -1;
  mutable std::atomic<int> gets{0};
  size_t size() const override { return n; }
  int image_size() const override { return sz; }
  std::string id(size_t i) const override { return "img_" + std::to_string(i); }
  std::optional<RgbImage> get(size_t i, int64_t epoch) const override {
    ++gets;
    if (delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    if (int64_t(i) == throw_at) throw std::runtime_error("boom");
    if (int64_t(i) == unreadable_at) return std::nullopt;
    const int s = int64_t(i) == wrong_size_at ? sz + 1 : sz;
    return RgbImage(s, s, static_cast<uint8_t>(i + 100 * epoch));
  }
  int64_t skipped() const override { return unreadable_at >= 0; }
};

}  // namespace

TEST_CASE("resampling averages areas when shrinking and interpolates when enlarging", "[data]") {
  RgbImage img(4, 2);
  for (int x = 0; x < 4; ++x)
    for (int y = 0; y < 2; ++y) img.at(x, y)[0] = static_cast<uint8_t>(40 * x + 100 * y);
  RgbImage half = resample(img, {0, 0, 4, 2}, 2, 1);
  CHECK(half.at(0, 0)[0] == 70);  // mean of 0, 40, 100, 140, as resize_area
  CHECK(half.at(1, 0)[0] == 150);
  CHECK(resample(img, {0, 0, 4, 2}, 3, 2).pixels == resize_area(img, 3, 2).pixels);

  RgbImage n = noise_image(5, 4);
  CHECK(resample(n, {0, 0, 5, 4}, 5, 4).pixels == n.pixels);  // 1:1 is an exact copy
  RgbImage part = resample(n, {1, 2, 2, 2}, 2, 2);            // an aligned crop too
  CHECK(std::vector<uint8_t>(part.at(0, 0), part.at(0, 0) + 6) ==
        std::vector<uint8_t>(n.at(1, 2), n.at(1, 2) + 6));
  CHECK(std::vector<uint8_t>(part.at(0, 1), part.at(0, 1) + 6) ==
        std::vector<uint8_t>(n.at(1, 3), n.at(1, 3) + 6));

  // Enlarging 2 -> 4 pixels: samples at -0.25, 0.25, 0.75, 1.25 (pixel centres at 0 and 1),
  // edges clamped. Vertically 1 -> 3 rows repeat the row.
  RgbImage two(2, 1);
  two.at(1, 0)[0] = 200;
  RgbImage four = resample(two, {0, 0, 2, 1}, 4, 3);
  for (int y = 0; y < 3; ++y) {
    CHECK(four.at(0, y)[0] == 0);
    CHECK(four.at(1, y)[0] == 50);
    CHECK(four.at(2, y)[0] == 150);
    CHECK(four.at(3, y)[0] == 200);
  }
  // A fractional region of one pixel is that pixel.
  RgbImage one(1, 1);
  one.at(0, 0)[1] = 77;
  CHECK(uniform_colour(resample(one, {0.1, 0.2, 0.5, 0.5}, 7, 3), 0, 77, 0));

  RgbImage f = noise_image(3, 2);
  flip_horizontal(f);
  RgbImage g = noise_image(3, 2);
  CHECK(std::vector<uint8_t>(f.at(0, 1), f.at(0, 1) + 3) ==
        std::vector<uint8_t>(g.at(2, 1), g.at(2, 1) + 3));
  CHECK(std::vector<uint8_t>(f.at(1, 0), f.at(1, 0) + 3) ==
        std::vector<uint8_t>(g.at(1, 0), g.at(1, 0) + 3));

  const Region c = center_square(6, 4);
  CHECK((c.x == 1 && c.y == 0 && c.width == 4 && c.height == 4));
  const Region j = jitter_square(6, 4, 2.0, 0.0, 1.0);  // side 4 / 2, bottom-left
  CHECK((j.x == 0 && j.y == 2 && j.width == 2 && j.height == 2));
  CHECK_THROWS_WITH(resample(n, {4, 0, 2, 2}, 2, 2), Contains("outside the 5x4 image"));
  CHECK_THROWS_WITH(resample(n, {0, 0, 2, 2}, 0, 2), Contains("output size must be positive"));
  CHECK_THROWS_WITH(jitter_square(6, 4, 0.5, 0, 0), Contains("scale must be at least 1"));
}

TEST_CASE("datasets decode grey, RGBA, tiny, odd-sized and nested images to size x size",
          "[data]") {
  TempDir dir;
  const fs::path& root = dir.path;
  const fs::path t = root / "train";
  write_bytes(t / "a_grey.png", png(3, 2, 1, {0, 50, 100, 150, 200, 255}));
  write_bytes(t / "b_rgba.png",
              png(2, 2, 4, {10, 20, 30, 0, 10, 20, 30, 0, 1, 2, 3, 0, 4, 5, 6, 0}));
  write_bytes(t / "c_one_pixel.png", png(1, 1, 3, {200, 10, 30}));
  write_bytes(t / "d_three_by_two.png", noise_png(3, 2));
  write_bytes(t / "e_odd.JPG", jpeg(37, 23));
  const std::string full = jpeg(64, 48, 7);
  write_bytes(t / "f_truncated.jpg", full.substr(0, full.size() / 2));
  write_bytes(t / "g_text.png", "not a PNG");
  write_bytes(t / "nested" / "deeper" / "h_photo.bmp", [] {
    std::string bmp;
    REQUIRE(stbi_write_bmp_to_func(append_bytes, &bmp, 9, 13, 3, noise(9 * 13 * 3).data()) != 0);
    return bmp;
  }());
  write_bytes(t / "readme.txt", "text");
  write_bytes(root / "val" / "v.png", noise_png(5, 5));
  write_bytes(root / "test" / "t.tga", [] {
    std::string tga;
    REQUIRE(stbi_write_tga_to_func(append_bytes, &tga, 4, 6, 3, noise(4 * 6 * 3).data()) != 0);
    return tga;
  }());

  std::vector<std::string> warnings;
  const auto warn = [&](const std::string& w) { warnings.push_back(w); };
  for (const bool augment : {true, false}) {
    warnings.clear();
    DatasetOptions o;
    o.size = 16;
    o.augment = augment;
    ImageDataset d(root.string(), Split::Train, o, warn);
    CHECK(d.split_folders());
    REQUIRE(d.size() == 8);
    CHECK(d.id(7) == "train/nested/deeper/h_photo.bmp");
    for (int epoch = 0; epoch < 3; ++epoch) {
      for (size_t i = 0; i < d.size(); ++i) {
        const std::optional<RgbImage> img = d.get(i, epoch);
        const bool corrupt = i == 5 || i == 6;
        REQUIRE(img.has_value() == !corrupt);
        if (corrupt) continue;
        CHECK(img->width == 16);
        CHECK(img->height == 16);
        CHECK(img->pixels.size() == 16 * 16 * 3);
      }
      const RgbImage grey = *d.get(0, epoch);
      for (size_t p = 0; p < grey.pixels.size(); p += 3)
        CHECK((grey.pixels[p] == grey.pixels[p + 1] && grey.pixels[p] == grey.pixels[p + 2]));
      CHECK(uniform_colour(*d.get(1, epoch), 255, 255, 255));  // transparent over white
      CHECK(uniform_colour(*d.get(2, epoch), 200, 10, 30));
    }
    // Each corrupt file warned once and counted once, however often it is asked for.
    CHECK(d.skipped() == 2);
    REQUIRE(warnings.size() == 2);
    CHECK_THAT(warnings[0], Contains("f_truncated.jpg: it holds corrupt or truncated image data"));
    CHECK_THAT(warnings[1], Contains("g_text.png"));
  }
  ImageDataset val(root.string(), Split::Val, {.size = 8});
  REQUIRE(val.size() == 1);
  CHECK(val.id(0) == "val/v.png");
  CHECK(val.get(0, 0)->pixels ==
        resample(*decode_image(root / "val" / "v.png"), {0, 0, 5, 5}, 8, 8).pixels);
  ImageDataset test(root.string(), Split::Test, {.size = 8});
  CHECK(ids_of(test) == std::vector<std::string>{"test/t.tga"});
  CHECK_THROWS_WITH(val.get(1, 0), Contains("image 1 requested, the split has 1"));
}

TEST_CASE("seeded splits are 60/20/20, disjoint, and a function of the seed", "[data]") {
  TempDir dir;
  flat_folder(dir.path, 25);
  const std::string root = dir.path.string();
  const auto split_of = [&](uint64_t seed) {
    std::array<std::vector<std::string>, 3> s;
    for (int k = 0; k < 3; ++k) {
      ImageDataset d(root, Split(k), {.size = 4, .seed = seed});
      CHECK_FALSE(d.split_folders());
      s[k] = ids_of(d);
    }
    return s;
  };
  const auto a = split_of(1), b = split_of(1), c = split_of(2);
  CHECK(a == b);
  CHECK(a[0] != c[0]);
  CHECK(a[0].size() == 15);
  CHECK(a[1].size() == 5);
  CHECK(a[2].size() == 5);
  std::set<std::string> all;
  for (const auto& s : a) {
    CHECK(std::is_sorted(s.begin(), s.end()));
    all.insert(s.begin(), s.end());
  }
  CHECK(all.size() == 25);  // disjoint and complete
  CHECK(*all.begin() == "img_align_celeba/000001.png");
  CHECK(ids_of(ImageDataset(root + "/", Split::Val, {.size = 4, .seed = 1})) == a[1]);

  // Adding a file elsewhere leaves the others where they were, but for the few at the
  // boundaries that the new counts move.
  write_bytes(dir.path / "more" / "new.png", noise_png(3, 3));
  const auto d = split_of(1);
  int moved = 0;
  for (int k = 0; k < 3; ++k)
    for (const std::string& id : a[k])
      moved += std::find(d[k].begin(), d[k].end(), id) == d[k].end();
  CHECK(moved <= 2);
}

TEST_CASE("train/ val/ test/ subfolders are the splits when present", "[data]") {
  TempDir dir;
  const fs::path& root = dir.path;
  for (int i = 0; i < 3; ++i)
    write_bytes(root / "Train" / ("cls" + std::to_string(i % 2)) / (std::to_string(i) + ".png"),
                noise_png(6, 4, i));
  write_bytes(root / "valid" / "a.png", noise_png(4, 4));
  write_bytes(root / "test" / "a.png", noise_png(4, 4));
  write_bytes(root / "test" / "b.jpg", jpeg(8, 8));
  write_bytes(root / "stray.png", noise_png(4, 4));  // outside the splits: unused
  CHECK(ImageDataset(root.string(), Split::Train, {.size = 4}).size() == 3);
  CHECK(ids_of(ImageDataset(root.string(), parse_split("val"), {.size = 4})) ==
        std::vector<std::string>{"valid/a.png"});
  CHECK(ids_of(ImageDataset(root.string(), Split::Test, {.size = 4})) ==
        std::vector<std::string>{"test/a.png", "test/b.jpg"});
  // The same layout one level down (the folder given is what holds train/ etc.).
  CHECK(ImageDataset((root / "Train").string(), Split::Val, {.size = 4}).split_folders() == false);

  fs::remove_all(root / "valid");
  CHECK_THROWS_WITH(ImageDataset(root.string(), Split::Val),
                    Contains("has train/ val/ test/ subfolders but no val/ subfolder"));
  fs::remove_all(root / "test");
  fs::create_directories(root / "test" / "empty");
  CHECK_THROWS_WITH(ImageDataset(root.string(), Split::Test),
                    Contains("the test split is empty") && Contains("holds no image files"));
  fs::create_directories(root / "val");
  fs::create_directories(root / "validation");
  CHECK_THROWS_WITH(ImageDataset(root.string(), Split::Train), Contains("has two val subfolders"));
}

TEST_CASE("dataset errors name the folder, the split or the option", "[data]") {
  TempDir dir;
  const std::string root = dir.path.string();
  CHECK_THROWS_WITH(ImageDataset(root, Split::Train), Contains(root + " holds no image files"));
  write_bytes(dir.path / "notes.txt", "text");
  CHECK_THROWS_WITH(ImageDataset(root, Split::Train), Contains("holds no image files"));
  CHECK_THROWS_WITH(ImageDataset(root + "/missing", Split::Train),
                    Contains("missing does not exist"));
  CHECK_THROWS_WITH(ImageDataset(root + "/notes.txt", Split::Train), Contains("is not a folder"));
  write_bytes(dir.path / "only.png", noise_png(2, 2));
  CHECK(ImageDataset(root, Split::Train).size() == 1);
  CHECK_THROWS_WITH(ImageDataset(root, Split::Val),
                    Contains("the val split of image folder " + root + " is empty") &&
                        Contains("its 1 image file split 60/20/20 give train 1, val 0, test 0"));
  CHECK_THROWS_WITH(ImageDataset(root, Split::Test), Contains("the test split"));
  CHECK_THROWS_WITH(ImageDataset(root, Split::Train, {.size = 0}),
                    Contains("image size must be in [1, 16384], got 0"));
  CHECK_THROWS_WITH(ImageDataset(root, Split::Train, {.max_scale = 0.5}),
                    Contains("max_scale must be in [1, 16]"));
  CHECK_THROWS_WITH(ImageDataset(root, Split::Train, {.val_fraction = 0.5, .test_fraction = 0.5}),
                    Contains("sum to less than 1"));
  CHECK_THROWS_WITH(parse_split("dev"),
                    Contains("unknown split 'dev' (expected train, val or test)"));
  CHECK(std::string(split_name(parse_split("VALIDATION"))) == "val");
}

TEST_CASE("training augmentation is a pure function of (seed, epoch, index)", "[data]") {
  TempDir dir;
  // Images whose red channel rises left to right (to see flips), with noise in green.
  for (int i = 0; i < 6; ++i) {
    const int w = 40 + 3 * i, h = 30 + i;
    std::vector<uint8_t> v = noise(size_t(w) * h * 3, i + 1);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        v[(size_t(y) * w + x) * 3] = static_cast<uint8_t>(x * 255 / (w - 1));
    write_bytes(dir.path / "train" / ("g" + std::to_string(i) + ".png"), png(w, h, 3, v));
  }
  const std::string root = dir.path.string();
  const DatasetOptions o{.size = 24, .seed = 7};
  ImageDataset a(root, Split::Train, o), b(root, Split::Train, o);
  ImageDataset other_seed(root, Split::Train, {.size = 24, .seed = 8});
  ImageDataset plain(root, Split::Train, {.size = 24, .seed = 7, .augment = false});
  int differ_epoch = 0, differ_seed = 0, flipped = 0, total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const RgbImage centre =
        resample(*decode_image(a.files()[i]), center_square(40 + 3 * int(i), 30 + int(i)), 24, 24);
    CHECK(plain.get(i, 0)->pixels == centre.pixels);
    CHECK(plain.get(i, 9)->pixels == centre.pixels);
    for (int epoch = 0; epoch < 8; ++epoch) {
      const RgbImage x = *a.get(i, epoch);
      CHECK(x.pixels == a.get(i, epoch)->pixels);
      CHECK(x.pixels == b.get(i, epoch)->pixels);
      differ_epoch += x.pixels != a.get(i, epoch + 1)->pixels;
      differ_seed += x.pixels != other_seed.get(i, epoch)->pixels;
      RgbImage y = x;
      flipped += y.at(0, 12)[0] > y.at(23, 12)[0];
      ++total;
    }
  }
  CHECK(differ_epoch == total);
  CHECK(differ_seed == total);
  CHECK(flipped > total / 4);
  CHECK(flipped < 3 * total / 4);
  // Without scale jitter and flips, a square image trains on its evaluation crop; an oblong
  // one on a full-height window at a random position.
  TempDir square;
  write_bytes(square.path / "train" / "s.png", noise_png(30, 30));
  ImageDataset still(square.path.string(), Split::Train,
                     {.size = 24, .max_scale = 1.0, .flip = false});
  ImageDataset still_plain(square.path.string(), Split::Train, {.size = 24, .augment = false});
  CHECK(still.get(0, 5)->pixels == still_plain.get(0, 0)->pixels);
  ImageDataset slide(root, Split::Train, {.size = 24, .max_scale = 1.0, .flip = false});
  // Red grows left to right, so a window off centre differs from the centre crop in red.
  RgbImage window = *slide.get(0, 3);
  const std::vector<uint8_t> centre = plain.get(0, 3)->pixels;
  CHECK(window.at(0, 0)[0] != centre[0]);
  CHECK(window.at(23, 0)[0] != centre[23 * 3]);
}

TEST_CASE("the batch loader yields each image once per epoch as uint8 (B, H, W, 3)", "[data]") {
  TempDir dir;
  for (int i = 0; i < 11; ++i)
    write_bytes(dir.path / "train" / ("im" + std::to_string(10 + i) + ".png"), noise_png(9, 7, i));
  const std::string truncated = jpeg(30, 30);
  write_bytes(dir.path / "train" / "im99_bad.jpg", truncated.substr(0, truncated.size() / 3));
  std::vector<std::string> warnings;
  ImageDataset d(dir.path.string(), Split::Train, {.size = 8, .seed = 3},
                 [&](const std::string& w) { warnings.push_back(w); });
  REQUIRE(d.size() == 12);

  BatchLoader loader(d, {.batch_size = 4, .seed = 3, .threads = 3});
  CHECK(loader.threads() == 3);
  CHECK(loader.batches_per_epoch() == 3);
  CHECK_FALSE(loader.next().has_value());  // no epoch started
  std::vector<std::vector<int64_t>> orders;
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    loader.start_epoch(epoch);
    std::vector<int64_t> seen;
    int64_t number = 0;
    while (std::optional<Batch> batch = loader.next()) {
      CHECK(batch->epoch == epoch);
      CHECK(batch->number == number++);
      CHECK(batch->images.dtype() == DType::UInt8);
      CHECK(batch->images.device().is_cpu());
      CHECK(batch->images.shape() == Shape{batch->size(), 8, 8, 3});
      REQUIRE(batch->ids.size() == batch->indices.size());
      const std::vector<uint8_t> pixels = batch->images.to_vector<uint8_t>();
      for (int64_t k = 0; k < batch->size(); ++k) {
        const auto i = static_cast<size_t>(batch->indices[k]);
        CHECK(batch->ids[k] == d.id(i));
        const std::vector<uint8_t> expected = d.get(i, epoch)->pixels;
        CHECK(std::equal(expected.begin(), expected.end(), pixels.begin() + k * 8 * 8 * 3));
        seen.push_back(batch->indices[k]);
      }
      // The batch holding the corrupt file is one short.
      const std::vector<int64_t> order = loader.epoch_order(epoch);
      const auto first = order.begin() + (batch->number * 4);
      const auto last = order.begin() + std::min<int64_t>(12, batch->number * 4 + 4);
      const bool has_bad = std::find(first, last, 11) != last;
      CHECK(batch->size() == (last - first) - (has_bad ? 1 : 0));
    }
    CHECK(number == 3);
    CHECK_FALSE(loader.next().has_value());  // stays finished
    std::vector<int64_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    orders.push_back(loader.epoch_order(epoch));
  }
  CHECK(orders[0] != orders[1]);  // reshuffled each epoch
  CHECK(loader.skipped() == 1);
  CHECK(warnings.size() == 1);
  CHECK(BatchLoader(d, {.batch_size = 4, .seed = 3}).epoch_order(1) == orders[1]);
  CHECK(BatchLoader(d, {.batch_size = 4, .seed = 4}).epoch_order(1) != orders[1]);

  BatchLoader ordered(d, {.batch_size = 5, .shuffle = false, .drop_last = true, .threads = 1});
  CHECK(ordered.batches_per_epoch() == 2);
  ordered.start_epoch(0);
  std::optional<Batch> first = ordered.next();
  REQUIRE(first.has_value());
  CHECK(first->indices == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(first->ids[0] == "train/im10.png");
  REQUIRE(ordered.next().has_value());
  CHECK_FALSE(ordered.next().has_value());

  // Resuming mid-epoch starts at the given batch, with the epoch's order.
  loader.start_epoch(1, 2);
  std::optional<Batch> third = loader.next();
  REQUIRE(third.has_value());
  CHECK(third->number == 2);
  CHECK(third->indices.front() == (orders[1][8] != 11 ? orders[1][8] : orders[1][9]));
  CHECK_FALSE(loader.next().has_value());
  loader.start_epoch(1, 7);  // past the end: an empty epoch
  CHECK_FALSE(loader.next().has_value());
  CHECK_THROWS_WITH(loader.start_epoch(1, -1), Contains("first batch must be >= 0"));

  // The trainer's next step: Lab on the batch's device.
  const Tensor lab = color::rgb8_to_lab(first->images);
  CHECK(lab.shape() == Shape{5, 3, 8, 8});
  CHECK(lab.dtype() == DType::Float32);
  const std::vector<float> l = lab.slice(1, 0, 1).contiguous().to_vector<float>();
  CHECK(*std::min_element(l.begin(), l.end()) >= 0.0f);
  CHECK(*std::max_element(l.begin(), l.end()) <= 100.0f);
}

TEST_CASE("the batch loader prefetches a bounded window, stops mid-epoch and times waits",
          "[data]") {
  FakeSource slow;
  slow.n = 40;
  slow.delay_ms = 5;
  {
    BatchLoader loader(slow, {.batch_size = 2, .threads = 2, .prefetch = 3});
    CHECK(loader.prefetch() == 3);
    loader.start_epoch(0);
    std::optional<Batch> b = loader.next();
    REQUIRE(b.has_value());
    CHECK(loader.wait_seconds() > 0.004);  // the first batch takes >= 2 x 5 ms
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // The window: at most 1 + prefetch batches loaded, however long the consumer idles.
    CHECK(slow.gets.load() <= 2 * (1 + 3));
    // Restarting mid-epoch drops the rest of the old one.
    loader.start_epoch(5);
    b = loader.next();
    REQUIRE(b.has_value());
    CHECK(b->epoch == 5);
    CHECK(b->number == 0);
    CHECK(int(b->images.to_vector<uint8_t>()[0]) == (b->indices[0] + 500) % 256);
  }  // destroyed with the epoch unfinished: joins without hanging
  const int after = slow.gets.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK(slow.gets.load() == after);

  // A consumer faster than the threads waits; the waits add up.
  FakeSource s;
  s.n = 12;
  s.delay_ms = 3;
  BatchLoader loader(s, {.batch_size = 3, .shuffle = false, .threads = 1});
  loader.start_epoch(0);
  double before = 0;
  int batches = 0;
  while (std::optional<Batch> b = loader.next()) {
    CHECK(loader.wait_seconds() >= before);
    before = loader.wait_seconds();
    ++batches;
  }
  CHECK(batches == 4);
  CHECK(loader.wait_seconds() > 0.02);  // ~12 x 3 ms of loading, one thread
}

TEST_CASE("a failure while loading reaches the consumer as a tint::Error naming the image",
          "[data]") {
  FakeSource s;
  s.n = 8;
  s.throw_at = 5;
  BatchLoader loader(s, {.batch_size = 2, .shuffle = false, .threads = 2});
  loader.start_epoch(0);
  CHECK(loader.next()->indices == std::vector<int64_t>{0, 1});
  CHECK(loader.next()->indices == std::vector<int64_t>{2, 3});
  CHECK_THROWS_AS(loader.next(), tint::Error);
  CHECK(loader.next()->indices == std::vector<int64_t>{6, 7});  // the epoch goes on
  loader.start_epoch(1);
  loader.next();
  loader.next();
  CHECK_THROWS_WITH(loader.next(), Contains("loading image img_5 (epoch 1) failed: boom"));

  FakeSource wrong;
  wrong.wrong_size_at = 1;
  BatchLoader l2(wrong, {.batch_size = 4, .shuffle = false, .threads = 1});
  l2.start_epoch(0);
  CHECK_THROWS_WITH(l2.next(), Contains("img_1") && Contains("gave a 5x5 image, expected 4x4"));

  // Unreadable images are left out; a batch of nothing but unreadable images is passed over.
  FakeSource holes;
  holes.n = 3;
  holes.unreadable_at = 1;
  BatchLoader l3(holes, {.batch_size = 1, .shuffle = false, .threads = 1});
  l3.start_epoch(0);
  CHECK(l3.next()->indices == std::vector<int64_t>{0});
  CHECK(l3.next()->indices == std::vector<int64_t>{2});
  CHECK_FALSE(l3.next().has_value());

  CHECK_THROWS_WITH(BatchLoader(s, {.batch_size = 0}), Contains("batch size must be positive"));
  CHECK_THROWS_WITH(BatchLoader(s, {.threads = -1}), Contains("threads and prefetch must be >= 0"));
  FakeSource empty;
  empty.n = 0;
  CHECK_THROWS_WITH(BatchLoader(empty), Contains("the image source is empty"));
}
