// ImageDataset (splits, decoding, crops and augmentation) and BatchLoader (background
// decoding threads, a bounded window of batches ahead of the consumer).
#include "dataset.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <unordered_set>

#include "augment.h"
#include "framework/core/error.h"
#include "framework/core/random_math.h"
#include "framework/tensor/factories.h"
#include "image_folder.h"

namespace tint::apps {

namespace fs = std::filesystem;

namespace {

// Independent random streams derived from one seed.
constexpr uint64_t kSplitStream = 0x53504c4954ull;  // "SPLIT"
constexpr uint64_t kAugmentStream = 0x4155474dull;  // "AUGM"
constexpr uint64_t kShuffleStream = 0x53485546ull;  // "SHUF"

uint64_t stream_key(uint64_t seed, uint64_t stream, uint64_t counter) {
  return rnd::bits(rnd::bits(seed, stream), counter);
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The split subfolders of root by split (empty path: absent), found by name in any case.
std::array<fs::path, 3> find_split_folders(const fs::path& root) {
  std::array<fs::path, 3> found;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    const std::string name = lower(it->path().filename().string());
    int s = -1;
    if (name == "train") s = 0;
    if (name == "val" || name == "valid" || name == "validation") s = 1;
    if (name == "test") s = 2;
    if (s < 0) continue;
    TINT_CHECK(found[s].empty(), "image folder ", root.string(), " has two ", split_name(Split(s)),
               " subfolders, ", found[s].filename().string(), "/ and ",
               it->path().filename().string(), "/; keep one");
    found[s] = it->path();
  }
  return found;
}

}  // namespace

const char* split_name(Split split) {
  switch (split) {
    case Split::Train:
      return "train";
    case Split::Val:
      return "val";
    case Split::Test:
      return "test";
  }
  return "?";
}

Split parse_split(const std::string& name) {
  const std::string n = lower(name);
  if (n == "train") return Split::Train;
  if (n == "val" || n == "valid" || n == "validation") return Split::Val;
  if (n == "test") return Split::Test;
  TINT_FAIL("unknown split '", name, "' (expected train, val or test)");
}

// ---------------------------------------------------------------------------------------
// ImageDataset

struct ImageDataset::State {
  std::mutex mutex;
  std::unordered_set<size_t> bad;  // indices found unreadable
  Warn warn;
};

ImageDataset::ImageDataset(const std::string& root, Split split, DatasetOptions options, Warn warn)
    : root_(root), split_(split), options_(options), state_(std::make_unique<State>()) {
  TINT_CHECK(options_.size > 0 && options_.size <= 16384,
             "ImageDataset: the image size must be in [1, 16384], got ", options_.size);
  TINT_CHECK(options_.max_scale >= 1.0 && options_.max_scale <= 16.0,
             "ImageDataset: max_scale must be in [1, 16], got ", options_.max_scale);
  TINT_CHECK(options_.val_fraction >= 0 && options_.test_fraction >= 0 &&
                 options_.val_fraction + options_.test_fraction < 1,
             "ImageDataset: the val and test fractions must be >= 0 and sum to less than 1, got ",
             options_.val_fraction, " and ", options_.test_fraction);
  TINT_CHECK(options_.max_pixels > 0, "ImageDataset: max_pixels must be positive, got ",
             options_.max_pixels);
  state_->warn = warn ? std::move(warn) : [](const std::string& line) { warn_once(line); };
  std::error_code ec;
  TINT_CHECK(fs::exists(root_, ec), "image folder ", root_, " does not exist");
  TINT_CHECK(fs::is_directory(root_, ec), "image folder ", root_, " is not a folder");

  const std::array<fs::path, 3> folders = find_split_folders(root_);
  split_folders_ = !folders[0].empty() || !folders[1].empty() || !folders[2].empty();
  const char* name = split_name(split_);
  if (split_folders_) {
    const fs::path& folder = folders[static_cast<int>(split_)];
    TINT_CHECK(!folder.empty(), "image folder ", root_, " has train/ val/ test/ subfolders but no ",
               name, "/ subfolder", split_ == Split::Val ? " (nor valid/ or validation/)" : "",
               ", so its ", name, " split is empty");
    try {
      files_ = list_image_files(folder.string(), state_->warn);
    } catch (const Error& e) {
      throw Error(std::string("the ") + name + " split is empty: " + e.what());
    }
    return;
  }

  // Seeded split of everything under root.
  const std::vector<fs::path> all = list_image_files(root_, state_->warn);
  std::vector<std::pair<uint64_t, size_t>> keyed(all.size());
  const uint64_t base = rnd::bits(options_.seed, kSplitStream);
  for (size_t i = 0; i < all.size(); ++i)
    keyed[i] = {rnd::bits(base, fnv1a(all[i].lexically_relative(root_).generic_string())), i};
  std::sort(keyed.begin(), keyed.end());  // ties (equal keys) by path order
  const auto n = static_cast<int64_t>(all.size());
  const int64_t n_val = std::llround(n * options_.val_fraction);
  const int64_t n_test = std::llround(n * options_.test_fraction);
  const int64_t n_train = n - n_val - n_test;
  const int64_t begin[3] = {0, n_train, n_train + n_val};
  const int64_t count[3] = {n_train, n_val, n_test};
  const int s = static_cast<int>(split_);
  TINT_CHECK(count[s] > 0, "the ", name, " split of image folder ", root_, " is empty: its ", n,
             " image file", n == 1 ? "" : "s", " split ",
             std::llround(100 * (1 - options_.val_fraction - options_.test_fraction)), "/",
             std::llround(100 * options_.val_fraction), "/",
             std::llround(100 * options_.test_fraction), " give train ", n_train, ", val ", n_val,
             ", test ", n_test, "; add images or give the folder train/ val/ test/ subfolders");
  for (int64_t k = begin[s]; k < begin[s] + count[s]; ++k) files_.push_back(all[keyed[k].second]);
  std::sort(files_.begin(), files_.end());
}

ImageDataset::~ImageDataset() = default;

std::string ImageDataset::id(size_t i) const {
  TINT_CHECK(i < files_.size(), "ImageDataset ", root_, " (", split_name(split_), "): image ", i,
             " requested, the split has ", files_.size());
  return files_[i].lexically_relative(root_).generic_string();
}

int64_t ImageDataset::skipped() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return static_cast<int64_t>(state_->bad.size());
}

std::optional<RgbImage> ImageDataset::get(size_t i, int64_t epoch) const {
  TINT_CHECK(i < files_.size(), "ImageDataset ", root_, " (", split_name(split_), "): image ", i,
             " requested, the split has ", files_.size());
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->bad.count(i)) return std::nullopt;
  }
  std::string reason;
  std::optional<RgbImage> image = decode_image(files_[i], &reason, nullptr, options_.max_pixels);
  if (!image) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->bad.insert(i).second)
      state_->warn("skipping " + files_[i].string() + ": it " + reason);
    return std::nullopt;
  }
  const int size = options_.size;
  if (split_ != Split::Train || !options_.augment) {
    return resample(*image, center_square(image->width, image->height), size, size);
  }
  const uint64_t key =
      rnd::bits(stream_key(options_.seed, kAugmentStream, static_cast<uint64_t>(epoch)), i);
  const double m = 1.0 + (options_.max_scale - 1.0) * rnd::uniform(key, 0);
  const Region region =
      jitter_square(image->width, image->height, m, rnd::uniform(key, 1), rnd::uniform(key, 2));
  RgbImage out = resample(*image, region, size, size);
  if (options_.flip && rnd::uniform(key, 3) < 0.5) flip_horizontal(out);
  return out;
}

// ---------------------------------------------------------------------------------------
// BatchLoader

BatchLoader::BatchLoader(const ImageSource& source, LoaderOptions options)
    : source_(source), options_(options) {
  TINT_CHECK(options_.batch_size > 0, "BatchLoader: the batch size must be positive, got ",
             options_.batch_size);
  TINT_CHECK(options_.threads >= 0 && options_.prefetch >= 0,
             "BatchLoader: threads and prefetch must be >= 0 (0: automatic), got ",
             options_.threads, " and ", options_.prefetch);
  TINT_CHECK(source_.size() > 0, "BatchLoader: the image source is empty");
  TINT_CHECK(source_.image_size() > 0, "BatchLoader: the source's image size must be positive");
  const int hw = static_cast<int>(std::thread::hardware_concurrency());
  const int threads = options_.threads > 0 ? options_.threads : std::max(1, hw - 1);
  prefetch_ = options_.prefetch > 0 ? options_.prefetch : std::max(2, 2 * threads);
  try {
    for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : workers_) t.join();
    throw;
  }
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_ready_.notify_all();
  result_ready_.notify_all();
  for (std::thread& t : workers_) t.join();
}

int64_t BatchLoader::batches_per_epoch() const {
  const auto n = static_cast<int64_t>(source_.size());
  const int64_t b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> BatchLoader::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order(source_.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  if (options_.shuffle) {
    const uint64_t key = stream_key(options_.seed, kShuffleStream, static_cast<uint64_t>(epoch));
    for (size_t i = order.size(); i > 1; --i)  // Fisher-Yates
      std::swap(order[i - 1], order[rnd::bits(key, i) % i]);
  }
  return order;
}

void BatchLoader::start_epoch(int64_t epoch, int64_t first_batch) {
  TINT_CHECK(first_batch >= 0, "BatchLoader: the first batch must be >= 0, got ", first_batch);
  std::vector<int64_t> order = epoch_order(epoch);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    results_.clear();
    order_ = std::move(order);
    epoch_ = epoch;
    batches_ = batches_per_epoch();
    next_job_ = next_out_ = std::min(first_batch, batches_);
    active_ = true;
  }
  work_ready_.notify_all();
}

void BatchLoader::work() {
  const int size = source_.image_size();
  const size_t image_bytes = size_t(size) * size * 3;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] {
      return stop_ || (active_ && next_job_ < batches_ && next_job_ < next_out_ + prefetch_);
    });
    if (stop_) return;
    const int64_t number = next_job_++;
    const uint64_t generation = generation_;
    const int64_t epoch = epoch_;
    const auto first = static_cast<size_t>(number * options_.batch_size);
    const std::vector<int64_t> indices(
        order_.begin() + first,
        order_.begin() + std::min(order_.size(), first + size_t(options_.batch_size)));
    lock.unlock();

    Result r;
    r.pixels.reserve(indices.size() * image_bytes);
    for (const int64_t i : indices) {
      if (stop_ || generation_ != generation) break;  // dropped: nobody will read it
      try {
        std::optional<RgbImage> image = source_.get(static_cast<size_t>(i), epoch);
        if (!image) continue;  // unreadable: skipped (the source warned)
        TINT_CHECK(
            image->width == size && image->height == size && image->pixels.size() == image_bytes,
            "the source gave a ", image->width, "x", image->height, " image, expected ", size, "x",
            size);
        r.pixels.insert(r.pixels.end(), image->pixels.begin(), image->pixels.end());
        r.ids.push_back(source_.id(static_cast<size_t>(i)));
        r.indices.push_back(i);
      } catch (const std::exception& e) {
        r.error = "loading image " + source_.id(static_cast<size_t>(i)) + " (epoch " +
                  std::to_string(epoch) + ") failed: " + e.what();
        break;
      } catch (...) {
        r.error = "loading image " + source_.id(static_cast<size_t>(i)) + " (epoch " +
                  std::to_string(epoch) + ") failed with an unknown exception";
        break;
      }
    }

    lock.lock();
    if (!stop_ && generation_ == generation) {
      results_[number] = std::move(r);
      result_ready_.notify_all();
    }
  }
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (!active_) return std::nullopt;
    if (next_out_ >= batches_) {
      active_ = false;
      return std::nullopt;
    }
    auto it = results_.find(next_out_);
    if (it == results_.end()) {
      const auto start = std::chrono::steady_clock::now();
      result_ready_.wait(lock, [&] { return stop_ || results_.count(next_out_) > 0; });
      wait_seconds_ +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (stop_) return std::nullopt;
      continue;
    }
    Result r = std::move(it->second);
    results_.erase(it);
    const int64_t number = next_out_++;
    work_ready_.notify_all();  // the window moved on
    if (!r.error.empty()) throw Error(r.error);
    if (r.ids.empty()) continue;  // every image of this batch was unreadable
    const int64_t epoch = epoch_;
    lock.unlock();
    const int size = source_.image_size();
    Batch batch;
    batch.images = from_buffer(r.pixels.data(), {static_cast<int64_t>(r.ids.size()), size, size, 3},
                               DType::UInt8);
    batch.ids = std::move(r.ids);
    batch.indices = std::move(r.indices);
    batch.epoch = epoch;
    batch.number = number;
    return batch;
  }
}

}  // namespace tint::apps
