// train_classifier as a library: data and label checks, the training loop, per-epoch
// validation, checkpoints, the final test of best.safetensors, summary.json.
#include "classifier_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "dataset.h"
#include "framework/io/metadata.h"
#include "framework/tint.h"
#include "image_classifier.h"
#include "models/small_vgg.h"
#include "output_guard.h"
#include "progress_bar.h"
#include "setting_limits.h"

namespace tint::apps {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The label of each image of a split. With split folders an id is "<split>/<label>/...".
std::vector<std::string> split_labels(const ImageDataset& ds) {
  std::vector<std::string> labels(ds.size());
  for (size_t i = 0; i < ds.size(); ++i) {
    const std::string id = ds.id(i);
    const fs::path rel(id);
    TINT_CHECK(!ds.split_folders() || std::distance(rel.begin(), rel.end()) >= 3, "image ",
               (fs::path(ds.root()) / rel).string(),
               " lies directly in its split folder; put each image in a folder named after its "
               "class (e.g. train/banana/banana_0001.png)");
    labels[i] = label_from_path(id);
  }
  return labels;
}

std::vector<int64_t> label_indices(const std::vector<std::string>& labels,
                                   const std::map<std::string, int64_t>& index, const char* split,
                                   const std::string& root) {
  std::set<std::string> unknown;
  std::vector<int64_t> out(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    auto it = index.find(labels[i]);
    if (it == index.end()) unknown.insert(labels[i]);
    else out[i] = it->second;
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& u : unknown) list += (list.empty() ? "'" : ", '") + u + "'";
    TINT_FAIL("the ", split, " split of ", root, " has label", unknown.size() == 1 ? " " : "s ",
              list, " that the training split lacks");
  }
  return out;
}

// The class index of each image of the batch, on the device.
Tensor batch_targets(const Batch& batch, const std::vector<int64_t>& labels, Device device) {
  std::vector<int64_t> t;
  for (int64_t i : batch.indices) t.push_back(labels[static_cast<size_t>(i)]);
  return from_vector(t, {batch.size()}).to(device);
}

// How many of the batch's images the logits classify right.
int64_t correct_count(const Tensor& logits, const Tensor& target) {
  return static_cast<int64_t>(sum(eq(argmax(logits, 1), target).to(DType::Float64)).item());
}

struct Score {
  double loss = 0, accuracy = 0;
};

// Mean loss and accuracy over a split, eval mode, no gradient.
Score evaluate(models::SmallVgg& model, const ImageDataset& ds, const std::vector<int64_t>& labels,
               const ClassifierTrainConfig& c) {
  model.eval();
  NoGradGuard no_grad;
  BatchLoader loader(ds, {.batch_size = c.batch, .shuffle = false, .seed = c.seed,
                          .threads = c.threads});
  loader.start_epoch(0);
  double loss = 0;
  int64_t right = 0, seen = 0;
  while (std::optional<Batch> batch = loader.next()) {
    const Tensor target = batch_targets(*batch, labels, c.device);
    const Tensor logits = model(rgb8_to_classifier_input(batch->images.to(c.device)));
    loss += cross_entropy(logits, target, Reduction::Sum).item();
    right += correct_count(logits, target);
    seen += batch->size();
  }
  TINT_CHECK(seen > 0, "no readable image in the ", split_name(ds.split()), " split of ", ds.root());
  return {loss / static_cast<double>(seen), static_cast<double>(right) / static_cast<double>(seen)};
}

// Accuracy of a saved classifier on a split, through ImageClassifier (as evaluation uses it).
double test_accuracy(const std::string& checkpoint, const ImageDataset& ds,
                     const std::vector<std::string>& labels, Device device) {
  const std::unique_ptr<ImageClassifier> classifier = ImageClassifier::load(checkpoint, "", device);
  int64_t right = 0, seen = 0;
  constexpr size_t kChunk = 256;
  for (size_t begin = 0; begin < ds.size(); begin += kChunk) {
    std::vector<RgbImage> images;
    std::vector<std::string> truth;
    for (size_t i = begin; i < std::min(ds.size(), begin + kChunk); ++i) {
      std::optional<RgbImage> image = ds.get(i, 0);
      if (!image) continue;
      images.push_back(std::move(*image));
      truth.push_back(labels[i]);
    }
    const std::vector<std::string> predicted = classifier->predict(images);
    for (size_t i = 0; i < predicted.size(); ++i) right += predicted[i] == truth[i];
    seen += static_cast<int64_t>(predicted.size());
  }
  TINT_CHECK(seen > 0, "no readable image in the ", split_name(ds.split()), " split of ", ds.root());
  return static_cast<double>(right) / static_cast<double>(seen);
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

const RunFileNames& classifier_run_files() {
  static const RunFileNames names{
      {"metrics.csv", "best.safetensors", "last.safetensors", "summary.json"}};
  return names;
}

ClassifierTrainResult train_classifier(const ClassifierTrainConfig& c,
                                       const ClassifierTrainHooks& hooks) {
  const auto start = Clock::now();
  const auto log = hooks.log ? hooks.log : [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  // The flags' ranges (setting_limits.h), named by the flags.
  TINT_CHECK(!c.data.empty(), "no image folder (--data) was given");
  check_setting("--size", c.size, limits::kClassifierSize);
  check_setting("--batch", c.batch, limits::kClassifierBatch);  // >= 2: batch norm
  check_setting("--epochs", c.epochs, limits::kEpochs);
  check_setting("--lr", c.lr, limits::kLearningRate);
  check_setting("--weight-decay", c.weight_decay, limits::kWeightDecay);
  check_setting("--width", c.width, limits::kClassifierWidth);
  check_setting("--threads", c.threads, limits::kDecodeThreads);
  TINT_CHECK(!c.out.empty(), "no output folder (--out) was given");
  check_output_outside_input(c.out, "--out", c.data, "--data");

  DatasetOptions options{.size = c.size, .seed = c.seed, .max_pixels = c.max_pixels};
  const ImageDataset train(c.data, Split::Train, options);
  const ImageDataset val(c.data, Split::Val, options);
  const ImageDataset test(c.data, Split::Test, options);
  const std::vector<std::string> train_names = split_labels(train);
  const std::vector<std::string> val_names = split_labels(val);
  const std::vector<std::string> test_names = split_labels(test);
  const std::set<std::string> class_set(train_names.begin(), train_names.end());
  TINT_CHECK(class_set.size() >= 2, "the training split of ", c.data, " has only one class ('",
             *class_set.begin(), "'); a classifier needs at least two class folders");
  ClassifierTrainResult result;
  result.classes.assign(class_set.begin(), class_set.end());
  std::map<std::string, int64_t> index;
  for (size_t i = 0; i < result.classes.size(); ++i)
    index[result.classes[i]] = static_cast<int64_t>(i);
  const std::vector<int64_t> train_labels = label_indices(train_names, index, "train", c.data);
  const std::vector<int64_t> val_labels = label_indices(val_names, index, "val", c.data);
  label_indices(test_names, index, "test", c.data);
  TINT_CHECK(static_cast<int64_t>(train.size()) >= c.batch, "the training split of ", c.data,
             " has ", train.size(), " images, fewer than one batch of ", c.batch);
  result.train_images = static_cast<int64_t>(train.size());
  result.val_images = static_cast<int64_t>(val.size());
  result.test_images = static_cast<int64_t>(test.size());

  Generator init(c.seed);
  models::SmallVgg model(static_cast<int64_t>(result.classes.size()), c.width, init);
  model.to(c.device);
  result.parameters = model.parameter_count();
  Adam opt(model.named_parameters(), AdamOptions{.lr = c.lr, .weight_decay = c.weight_decay});
  BatchLoader loader(train, {.batch_size = c.batch, .shuffle = true, .drop_last = true,
                             .seed = c.seed, .threads = c.threads});
  const int64_t total_steps = c.epochs * loader.batches_per_epoch();
  CosineAnnealingLR schedule(opt, total_steps);

  // The folder: a new run never replaces an earlier one unless asked to (--overwrite).
  const std::vector<fs::path> removed =
      claim_run_folder(c.out, classifier_run_files(), c.overwrite, /*can_resume=*/false);
  if (!removed.empty())
    log("--overwrite: removed the earlier run's " + std::to_string(removed.size()) +
        " file(s) from " + c.out);
  std::error_code ec;
  fs::create_directories(c.out, ec);
  TINT_CHECK(fs::is_directory(c.out), "cannot create the output folder ", c.out,
             ec ? " (" + ec.message() + ")" : std::string());
  for (const fs::path& stale : remove_stale_temporaries(c.out, [](const std::string& name) {
         return classifier_run_files().matches(name);
       }))
    log("removed " + stale.string() + ", a temporary file left by a run that was killed");
  const std::string best_path = (fs::path(c.out) / "best.safetensors").string();
  const std::string last_path = (fs::path(c.out) / "last.safetensors").string();
  std::ofstream metrics(fs::path(c.out) / "metrics.csv", std::ios::trunc);
  TINT_CHECK(metrics.good(), "cannot write ", (fs::path(c.out) / "metrics.csv").string());
  metrics << "epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,images_per_s\n";
  log("small-vgg x" + format_metadata_number(c.width) + ": " + std::to_string(result.parameters) +
      " parameters, " + std::to_string(result.classes.size()) + " classes, " +
      std::to_string(c.size) + "x" + std::to_string(c.size) + "; " +
      std::to_string(result.train_images) + " train / " + std::to_string(result.val_images) +
      " val / " + std::to_string(result.test_images) + " test images; " +
      std::to_string(c.epochs) + " epochs of " + std::to_string(loader.batches_per_epoch()) +
      " batches of " + std::to_string(c.batch) + " on " + c.device.str());

  double best = -1;
  int64_t step = 0;
  for (int64_t epoch = 1; epoch <= c.epochs; ++epoch) {
    model.train();
    loader.start_epoch(epoch - 1);
    std::unique_ptr<ProgressBar> bar;
    if (hooks.progress)
      bar = std::make_unique<ProgressBar>(loader.batches_per_epoch() * c.batch,
                                          "epoch " + std::to_string(epoch) + "/" +
                                              std::to_string(c.epochs),
                                          "img");
    const auto epoch_start = Clock::now();
    double loss_sum = 0;
    int64_t right = 0, seen = 0;
    bool stopped = false;
    while (std::optional<Batch> batch = loader.next()) {
      if (batch->size() < 2) continue;  // unreadable files left a batch too small for BN
      const Tensor target = batch_targets(*batch, train_labels, c.device);
      const Tensor logits = model(rgb8_to_classifier_input(batch->images.to(c.device)));
      Tensor loss = cross_entropy(logits, target);
      // A diverged run (lr far too high) stops here, before any checkpoint of it is written.
      const double value = loss.item();
      TINT_CHECK(std::isfinite(value), "the training loss became ", value, " at step ", step + 1,
                 "; lower --lr");
      opt.zero_grad();
      loss.backward();
      opt.step();
      if (hooks.after_step) hooks.after_step(model);
      schedule.step();
      ++step;
      loss_sum += value * static_cast<double>(batch->size());
      right += correct_count(logits.detach(), target);
      seen += batch->size();
      if (bar) bar->update(seen, {{"loss", loss_sum / static_cast<double>(seen)},
                                  {"acc", static_cast<double>(right) / static_cast<double>(seen)}});
      if (hooks.should_stop && hooks.should_stop()) {
        stopped = true;
        break;
      }
    }
    result.steps = step;
    if (stopped) {
      if (bar) bar->finish();
      std::map<std::string, std::string> meta =
          classifier_metadata(result.classes, c.width, c.size, c.data);
      meta["epoch"] = std::to_string(epoch - 1);  // epochs finished
      meta["step"] = std::to_string(step);
      save_checkpoint(last_path, model, &opt, meta);
      result.interrupted = true;
      result.seconds = seconds_since(start);
      return result;
    }
    if (bar) bar->finish();
    TINT_CHECK(seen > 0, "no readable training batch in epoch ", epoch, " of ", c.data);
    ClassifierEpoch e;
    e.epoch = epoch;
    e.step = step;
    e.images_per_s = static_cast<double>(seen) / std::max(1e-9, seconds_since(epoch_start));
    e.train_loss = loss_sum / static_cast<double>(seen);
    e.train_accuracy = static_cast<double>(right) / static_cast<double>(seen);
    const Score v = evaluate(model, val, val_labels, c);
    e.val_loss = v.loss;
    e.val_accuracy = v.accuracy;
    TINT_CHECK(std::isfinite(v.loss) && std::isfinite(v.accuracy), "the validation loss became ",
               v.loss, " after epoch ", epoch, "; lower --lr");
    metrics << e.epoch << "," << e.step << "," << e.train_loss << "," << e.train_accuracy << ","
            << e.val_loss << "," << e.val_accuracy << "," << e.images_per_s << "\n";
    metrics.flush();
    std::map<std::string, std::string> meta =
        classifier_metadata(result.classes, c.width, c.size, c.data);
    meta["epoch"] = std::to_string(epoch);
    meta["val_accuracy"] = format_metadata_number(e.val_accuracy);
    save_checkpoint(last_path, model, &opt, meta);
    const bool improved = e.val_accuracy > best;
    if (improved) {
      best = e.val_accuracy;
      result.best_epoch = epoch;
      result.val_accuracy = e.val_accuracy;
      save_checkpoint(best_path, model, nullptr, meta);
    }
    log("epoch " + std::to_string(epoch) + "/" + std::to_string(c.epochs) + ": train loss " +
        fixed(e.train_loss, 4) + " acc " + fixed(100 * e.train_accuracy, 1) + "%, val loss " +
        fixed(e.val_loss, 4) + " acc " + fixed(100 * e.val_accuracy, 1) + "%, " +
        fixed(e.images_per_s, 0) + " img/s" + (improved ? " (best)" : ""));
    result.history.push_back(e);
  }

  result.test_accuracy = test_accuracy(best_path, test, test_names, c.device);
  result.seconds = seconds_since(start);
  const nlohmann::json summary = {
      {"classes", result.classes},
      {"test_accuracy", result.test_accuracy},
      {"val_accuracy", result.val_accuracy},
      {"best_epoch", result.best_epoch},
      {"epochs", c.epochs},
      {"size", c.size},
      {"width", c.width},
      {"batch", c.batch},
      {"lr", c.lr},
      {"weight_decay", c.weight_decay},
      {"seed", c.seed},
      {"device", c.device.str()},
      {"data", c.data},
      {"model", kSmallVggName},
      {"parameters", result.parameters},
      {"seconds", result.seconds},
      {"train_images", result.train_images},
      {"val_images", result.val_images},
      {"test_images", result.test_images},
      {"checkpoint", best_path},
  };
  write_file_atomically((fs::path(c.out) / "summary.json").string(), summary.dump(2) + "\n");
  return result;
}

}  // namespace tint::apps
