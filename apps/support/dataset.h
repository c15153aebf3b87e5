// The training data pipeline: ImageDataset (one split of an image folder, every image
// decoded and cropped to size x size, augmented for training) and BatchLoader (background
// threads that decode and augment whole batches ahead of the consumer and hand out uint8
// (B, H, W, 3) tensors with the images' ids). Lab conversion is not done here: the trainer
// moves a batch to its device and calls kernels/lab.h's rgb8_to_lab there.
//
// Splits. When the folder has train/, val/ (or valid/, validation/) or test/ subfolders (the
// report's repository layout), a split is its subfolder, searched recursively; images
// elsewhere under the folder are not used. Otherwise (CelebA's flat img_align_celeba/, any
// folder of images) the images under the folder, recursively, are split 60/20/20 by seed:
// every file gets a key hashed from (seed, its path relative to the folder); sorted by key,
// the first 60 % (rounded) are train, the next 20 % val, the rest test. Same seed, same
// split; adding files moves only a few others across split boundaries.
//
// Images. Each image is decoded (JPEG, PNG, BMP, TGA; grey expanded; alpha composited over
// white) and resampled once to size x size (apps/support/augment.h: area averaging along an
// axis that shrinks, bilinear along one that enlarges):
// - val, test, or train without augmentation: the short side resized to size, the centre
//   size x size kept;
// - train: resize-crop jitter, the short side resized to size * m with m uniform in
//   [1, max_scale] (default 1.15), then a size x size crop at a uniform position; and a
//   horizontal flip with probability 1/2. The draws are a pure function of (seed, epoch,
//   index), so an epoch is reproducible whatever the threads do.
// An unreadable, truncated or corrupt file, or one over options.max_pixels, is skipped: one
// warning naming it (the first time only), counted in skipped(), never an exception. The
// folder is listed as list_image_files does (each file once; loops and unreadable subfolders
// warned about).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "framework/tensor/tensor.h"
#include "image_folder.h"
#include "image_io.h"

namespace tint::apps {

enum class Split { Train, Val, Test };
const char* split_name(Split split);  // "train", "val", "test"
// "train", "val" (or "valid", "validation"), "test"; tint::Error otherwise.
Split parse_split(const std::string& name);

// What a BatchLoader reads: a fixed number of images, each image_size() x image_size() once
// loaded. get() must be safe to call from several threads at once.
class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual size_t size() const = 0;
  virtual int image_size() const = 0;
  // A name for image i (for ImageDataset: its path relative to the folder).
  virtual std::string id(size_t i) const = 0;
  // Image i as the given epoch sees it; std::nullopt when it cannot be read (skipped).
  virtual std::optional<RgbImage> get(size_t i, int64_t epoch) const = 0;
  // Distinct images skipped so far.
  virtual int64_t skipped() const = 0;
};

struct DatasetOptions {
  int size = 176;           // every image comes out size x size
  uint64_t seed = 0;        // the seeded split and the augmentation draws
  bool augment = true;      // train split only: resize-crop jitter and flips
  double max_scale = 1.15;  // jitter: short side resized to size * [1, max_scale]
  bool flip = true;         // jitter: random horizontal flips
  double val_fraction = 0.2, test_fraction = 0.2;  // seeded split only
  // Images over this many pixels are skipped with a warning, before decoding (image_folder.h).
  int64_t max_pixels = kDefaultMaxPixels;
};

class ImageDataset : public ImageSource {
 public:
  using Warn = std::function<void(const std::string&)>;
  // Lists the split (see above). tint::Error, naming the folder or split, for: a missing
  // folder, a folder without image files, a split subfolder missing or without images, a
  // seeded split that leaves this split empty (e.g. one image in all), bad options. warn
  // gets the listing's warnings and one line per skipped file (default: stderr, "warning:
  // ...", each distinct line once per process: warn_once).
  ImageDataset(const std::string& root, Split split, DatasetOptions options = {}, Warn warn = {});
  ~ImageDataset() override;
  ImageDataset(const ImageDataset&) = delete;
  ImageDataset& operator=(const ImageDataset&) = delete;

  size_t size() const override { return files_.size(); }
  int image_size() const override { return options_.size; }
  std::string id(size_t i) const override;
  std::optional<RgbImage> get(size_t i, int64_t epoch) const override;
  int64_t skipped() const override;

  const std::string& root() const { return root_; }
  Split split() const { return split_; }
  const DatasetOptions& options() const { return options_; }
  // True when the splits come from train/ val/ test/ subfolders, false when seeded.
  bool split_folders() const { return split_folders_; }
  // The files of this split, sorted by path; index i of get() and id() is files()[i].
  const std::vector<std::filesystem::path>& files() const { return files_; }

 private:
  struct State;
  std::string root_;
  Split split_;
  DatasetOptions options_;
  bool split_folders_ = false;
  std::vector<std::filesystem::path> files_;
  std::unique_ptr<State> state_;  // skipped files, warnings (thread-safe)
};

// A batch: images (B, H, W, 3) uint8 on the CPU, row-major RGB as decoded, and per image its
// id and index in the source. B is the batch size except for the last batch of an epoch
// (unless drop_last) and for a batch that met unreadable files (they are left out).
struct Batch {
  Tensor images;
  std::vector<std::string> ids;
  std::vector<int64_t> indices;
  int64_t epoch = 0;
  int64_t number = 0;  // position of the batch in its epoch, from 0
  int64_t size() const { return static_cast<int64_t>(ids.size()); }
};

struct LoaderOptions {
  int64_t batch_size = 8;
  bool shuffle = true;     // a new order each epoch, from (seed, epoch); else source order
  bool drop_last = false;  // leave out an epoch's last, smaller batch
  uint64_t seed = 0;
  int threads = 0;   // decoding threads; 0: hardware_concurrency - 1, at least 1
  int prefetch = 0;  // batches decoded or being decoded ahead of the consumer; 0: 2 * threads
};

// Decodes and augments batches in background threads, a bounded number ahead of the
// consumer, and hands them out in order. Use:
//   BatchLoader loader(dataset, {.batch_size = 8, .seed = seed});
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader.start_epoch(epoch);
//     while (std::optional<Batch> batch = loader.next()) { ... }
//   }
// One thread consumes (start_epoch, next); the source must outlive the loader. An
// exception thrown while loading an image (not an unreadable file: that is skipped) reaches
// the consumer from next() as a tint::Error naming the image. The destructor stops and
// joins the threads, also in the middle of an epoch.
class BatchLoader {
 public:
  explicit BatchLoader(const ImageSource& source, LoaderOptions options = {});
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Starts an epoch at its batch first_batch (0: the start; a resumed run passes the batch
  // it stopped at, and the batches before it are not loaded); what is left of the current
  // epoch is dropped.
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  // The epoch's next batch (waiting for it if needed); std::nullopt once the epoch is done
  // (or before any start_epoch).
  std::optional<Batch> next();

  int64_t batches_per_epoch() const;
  // The source's indices in the order of the given epoch (what start_epoch uses).
  std::vector<int64_t> epoch_order(int64_t epoch) const;
  // Total seconds next() spent waiting for batches that were not ready yet.
  double wait_seconds() const { return wait_seconds_; }
  int threads() const { return static_cast<int>(workers_.size()); }
  int prefetch() const { return prefetch_; }
  int64_t skipped() const { return source_.skipped(); }

 private:
  struct Result {
    std::vector<uint8_t> pixels;
    std::vector<std::string> ids;
    std::vector<int64_t> indices;
    std::string error;  // set when loading failed
  };
  void work();

  const ImageSource& source_;
  LoaderOptions options_;
  int prefetch_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_, result_ready_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> generation_{0};  // bumped by start_epoch, so stale work is dropped
  bool active_ = false;
  int64_t epoch_ = 0;
  std::vector<int64_t> order_;
  int64_t batches_ = 0;
  int64_t next_job_ = 0;               // next batch a worker takes
  int64_t next_out_ = 0;               // next batch next() hands out
  std::map<int64_t, Result> results_;  // finished batches not yet handed out, by number
  double wait_seconds_ = 0;
};

}  // namespace tint::apps
