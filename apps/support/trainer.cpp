// The colorizer training loop (trainer.h): data, prior, model and optimizer, the epoch loop
// with validation, metrics, grids and checkpoints, and exact resumption.
#include "app_main.h"
#include "trainer.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "dataset.h"
#include "output_guard.h"
#include "framework/optim/graphed_step.h"
#include "framework/io/input_file.h"
#include "framework/tint.h"
#include "kernels/color_loss.h"
#include "kernels/lab.h"
#include "kernels/metrics.h"
#include "kernels/prior.h"
#include "models/registry.h"
#include "progress_bar.h"
#include "setting_limits.h"
#include "train_grid.h"

namespace tint::apps {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kKind = "train_colorizer checkpoint";
constexpr const char* kCsvHeader =
    "epoch,step,train_loss,val_loss,val_auc,images_per_s,data_wait_s";

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Where a run stands; saved in every checkpoint.
struct Position {
  int64_t epoch = 0;       // epochs finished
  int64_t batch = 0;       // batches done in the current epoch
  int64_t step = 0;        // optimizer steps in all
  double loss_sum = 0;     // the current epoch's per-pixel batch losses, summed
  int64_t loss_count = 0;  // batches in loss_sum
  double best_auc = -1;    // best val AuC so far (-1: none yet)
  void next_epoch() {
    ++epoch;
    batch = 0;
    loss_sum = 0;
    loss_count = 0;
  }
};

// The dropout layers of a network with their state-dict-style names: their random counters
// are part of a run's state.
void collect_dropouts(const nn::Module& module, const std::string& prefix,
                      std::vector<std::pair<std::string, nn::Dropout*>>& out) {
  for (const auto& [name, child] : module.named_children()) {
    const std::string full = prefix.empty() ? name : prefix + "." + name;
    if (auto* d = dynamic_cast<nn::Dropout*>(child.get())) out.emplace_back(full, d);
    collect_dropouts(*child, full, out);
  }
}

// A batch of uint8 images (B, H, W, 3) as L (B, 1, H, W) and ab (B, 2, H, W) on the device.
struct LabBatch {
  Tensor L, ab;
};

LabBatch to_lab(const Tensor& images, Device device) {
  const Tensor lab = color::rgb8_to_lab(images.to(device));
  return {lab.slice(1, 0, 1).contiguous(), lab.slice(1, 1, 3).contiguous()};
}

// The training loss of the config on the network's output, reduced per image (sum over the
// loss's pixels, mean over the batch).
class LossFunction {
 public:
  LossFunction(const TrainConfig& c, const models::ColorizerModel& model, Tensor weights)
      : kind_(c.loss),
        resolution_(c.target_resolution),
        model_(model),
        weights_(std::move(weights)) {}

  Tensor operator()(const Tensor& out, const Tensor& ab) const {
    if (kind_ != ColorLossKind::L2) {
      color::ColorLossOptions options;
      options.reduction = color::LossReduction::PerImageSum;
      options.target_resolution = resolution_;
      return color::rebalanced_cross_entropy(out, ab, weights_, options);
    }
    const Tensor pred = model_.decode_regression(out);
    const int64_t H = ab.size(2), W = ab.size(3), h = out.size(2), w = out.size(3);
    if (resolution_ == color::TargetResolution::Full)
      return color::l2_color_loss(upsample_nearest2d(pred, UpsampleSize::size(H, W)), ab,
                                  color::LossReduction::PerImageSum);
    // Zhang's subsampling: the ab pixel (i * H / h, j * W / w) for logits pixel (i, j).
    const Tensor sub = ab.slice(2, 0, H, H / h).slice(3, 0, W, W / w).contiguous();
    return color::l2_color_loss(pred, sub, color::LossReduction::PerImageSum);
  }

  // Pixels per image that the loss sums over, for an input of h x w.
  int64_t pixels(int64_t h, int64_t w) const {
    if (resolution_ == color::TargetResolution::Full) return h * w;
    return (h / models::kOutputStride) * (w / models::kOutputStride);
  }

 private:
  ColorLossKind kind_;
  color::TargetResolution resolution_;
  const models::ColorizerModel& model_;
  Tensor weights_;
};

void validate_config(const TrainConfig& c) {
  const auto names = models::model_names();
  TINT_CHECK(std::find(names.begin(), names.end(), c.model) != names.end(), "unknown model '",
             c.model, "'; the models are: eccv16, seed");
  check_setting("--size", c.size, limits::kImageSize);
  check_setting("--batch", c.batch, limits::kBatch);
  TINT_CHECK(c.precision == "fp32" || c.precision == "bf16",
             "--precision must be fp32 or bf16, got '", c.precision, "'");
  check_setting("--epochs", c.epochs, limits::kEpochs);
  if (c.iters != 0) check_setting("--iters", c.iters, limits::kIters);  // 0: not given
  check_setting("--lr", c.lr, limits::kLearningRate);
  check_setting("--weight-decay", c.weight_decay, limits::kWeightDecay);
  check_setting("--lambda", c.lambda, limits::kLambda);
  check_setting("--temperature", c.temperature, limits::kTemperature);
  check_setting("--width", c.width, limits::kColorizerWidth);
  check_setting("--report-every", c.report_every, limits::kEveryEpochs);
  check_setting("--save-every", c.save_every, limits::kEveryEpochs);
  check_setting("--grid-images", c.grid_images, limits::kGridImages);
  check_setting("--threads", c.threads, limits::kDecodeThreads);
  TINT_CHECK(!c.out.empty(), "--out is empty; give a folder");
  TINT_CHECK(!(c.resume && c.overwrite),
             "--resume continues the run in --out and --overwrite replaces it; give one of them");
  check_output_outside_input(c.out, "--out", c.data, "--data");
}

// The prior's weights: from a file (config.prior, or the run's own copy when resuming) or
// the histogram of the training split; saved to out/prior.safetensors.
Tensor prepare_prior(const TrainConfig& c, const fs::path& out, Device device,
                     const std::function<void(const std::string&)>& log,
                     const std::function<bool()>& stop, bool* stopped, bool* saved) {
  const fs::path own = out / "prior.safetensors";
  color::ColorPrior prior;
  char line[512];
  if (!c.prior.empty() || (c.resume && fs::exists(own))) {
    const std::string path = c.prior.empty() ? own.string() : c.prior;
    TINT_CHECK(fs::exists(path), "--prior ", path, " does not exist");
    const color::ColorPrior loaded = color::load_prior(path);
    prior = color::prior_from_counts(loaded.counts, c.lambda, loaded.sigma);
    prior.images = loaded.images;
    std::snprintf(line, sizeof line, "prior: loaded %s (%lld images, %lld pixels)", path.c_str(),
                  static_cast<long long>(loaded.images), static_cast<long long>(loaded.pixels));
  } else {
    const auto start = Clock::now();
    DatasetOptions options{
        .size = c.size, .seed = c.seed, .augment = false, .max_pixels = c.max_pixels};
    ImageDataset train(c.data, Split::Train, options);
    BatchLoader loader(train,
                       {.batch_size = 32, .shuffle = false, .seed = c.seed, .threads = c.threads});
    Tensor counts = color::empty_ab_histogram(device);
    int64_t images = 0;
    loader.start_epoch(0);
    while (std::optional<Batch> batch = loader.next()) {
      const LabBatch lab = to_lab(batch->images, device);
      color::accumulate_ab_histogram(counts, lab.ab);
      images += batch->size();
      if (stop && stop()) {
        *stopped = true;
        return Tensor();
      }
    }
    TINT_CHECK(images > 0, "no training image under ", c.data, " could be read");
    prior = color::prior_from_counts(counts.cpu(), c.lambda, 5.0);
    prior.images = images;
    std::snprintf(
        line, sizeof line, "prior: ab histogram of %lld training images at %dx%d in %.1f s -> %s",
        static_cast<long long>(images), c.size, c.size, seconds_since(start), own.string().c_str());
  }
  if (c.prior.empty() || fs::weakly_canonical(c.prior) != fs::weakly_canonical(own)) {
    color::save_prior(own.string(), prior);
    *saved = true;
  }
  log(line);
  return prior.weights.to(device);
}

// Rewrites metrics.csv keeping the header and the rows of epochs <= epochs_done (a resumed
// run repeats anything logged after its checkpoint).
void trim_metrics(const fs::path& path, int64_t epochs_done) {
  std::ifstream in(path);
  std::ostringstream kept;
  kept << kCsvHeader << "\n";
  std::string row;
  bool first = true;
  while (std::getline(in, row)) {
    if (first) {
      first = false;
      if (row == kCsvHeader) continue;
    }
    if (row.empty()) continue;
    try {
      if (std::stoll(row.substr(0, row.find(','))) <= epochs_done) kept << row << "\n";
    } catch (const std::exception&) {
    }
  }
  in.close();
  std::ofstream(path, std::ios::trunc) << kept.str();
}

}  // namespace

const RunFileNames& colorizer_run_files() {
  static const RunFileNames names{{"metrics.csv", "last.safetensors", "best.safetensors",
                                   "prior.safetensors", "grid_epoch*.png"}};
  return names;
}

Tensor decode_full_resolution(const models::ColorizerModel& model, const Tensor& out, int64_t h,
                              int64_t w, double temperature) {
  NoGradGuard no_grad;
  const Tensor ab = model.decode(out, temperature);
  if (ab.size(2) == h && ab.size(3) == w) return ab;
  return upsample_bilinear2d(ab, UpsampleSize::size(h, w));
}

TrainResult train_colorizer(const TrainConfig& c, const TrainHooks& hooks) {
  const auto run_start = Clock::now();
  validate_config(c);
  // The run's precision and layout, for its forward and backward passes, restored on return.
  nn::Settings settings = nn::settings();
  settings.autocast_bfloat16 = c.precision == "bf16";
  settings.channels_last = c.channels_last;
  const nn::SettingsScope precision(settings);
  const bool tty = isatty(fileno(stderr)) != 0 && hooks.progress;
  const auto log = [&](const std::string& line) {
    if (hooks.log) return hooks.log(line);
    if (tty) std::fprintf(stderr, "\r\033[K");
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  Position pos;
  const auto stop = [&] { return hooks.should_stop && hooks.should_stop(pos.step); };
  char line[1024];

  // Inputs first: data, checkpoint, prior file; nothing is written before they check out.
  const Device device = pick_device(c.device);
  DatasetOptions train_options{
      .size = c.size, .seed = c.seed, .augment = c.augment, .max_pixels = c.max_pixels};
  ImageDataset train_set(c.data, Split::Train, train_options);
  ImageDataset val_set(
      c.data, Split::Val,
      {.size = c.size, .seed = c.seed, .augment = false, .max_pixels = c.max_pixels});
  if (c.cuda_graph) {
    TINT_CHECK(device.is_cuda(), "--cuda-graph needs a CUDA device, and this run is on ",
               device.str(), "; leave --cuda-graph out on the cpu");
    TINT_CHECK(static_cast<int64_t>(train_set.size()) >= c.batch,
               "--cuda-graph trains on full batches only, and the ", train_set.size(),
               " training images under ", c.data, " make no batch of ", c.batch,
               "; lower --batch");
  }
  const fs::path out(c.out);
  const fs::path last_path = out / "last.safetensors", best_path = out / "best.safetensors",
                 metrics_path = out / "metrics.csv";
  std::optional<Checkpoint> resumed;
  if (c.resume) {
    TINT_CHECK(fs::exists(last_path), "--resume: there is no checkpoint ", last_path.string(),
               " to continue from; run without --resume first");
    resumed = read_checkpoint(last_path.string());
    check_checkpoint_settings(c, resumed->extra, last_path.string());
  }
  if (!c.prior.empty()) {
    check_regular_file(c.prior, "--prior");  // missing, a folder, a FIFO: one sentence
    if (c.loss == ColorLossKind::ClassRebal) (void)color::load_prior(c.prior);  // checks it
  }
  // The folder: a new run never replaces an earlier one unless asked to (--overwrite).
  if (!c.resume) {
    std::vector<fs::path> keep;
    if (!c.prior.empty()) keep.emplace_back(c.prior);
    const std::vector<fs::path> removed =
        claim_run_folder(out, colorizer_run_files(), c.overwrite, /*can_resume=*/true, keep);
    if (!removed.empty())
      log("--overwrite: removed the earlier run's " + std::to_string(removed.size()) +
          " file(s) from " + c.out);
  }
  std::error_code ec;
  fs::create_directories(out, ec);
  TINT_CHECK(fs::is_directory(out), "cannot create the output folder ", c.out,
             ec ? " (" + ec.message() + ")" : "");
  for (const fs::path& stale : remove_stale_temporaries(out, [](const std::string& name) {
         return colorizer_run_files().matches(name);
       }))
    log("removed " + stale.string() + ", a temporary file left by a run that was killed");

  TrainResult result;
  const auto wrote = [&](const std::string& name) {
    if (std::find(result.written.begin(), result.written.end(), name) == result.written.end())
      result.written.push_back(name);
  };
  Generator init_gen(c.seed);
  const models::Head head =
      c.loss == ColorLossKind::L2 ? models::Head::Regression : models::Head::Classification;
  std::unique_ptr<models::ColorizerModel> model =
      models::make_model(c.model, head, c.width, init_gen);
  model->to(device);
  result.parameters = model->parameter_count();
  Adam opt(
      model->trainable_parameters(),
      AdamOptions{
          .lr = c.lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = c.weight_decay});
  std::vector<std::pair<std::string, nn::Dropout*>> dropouts;
  collect_dropouts(*model, "", dropouts);
  BatchLoader train_loader(train_set, {.batch_size = c.batch,
                                       .shuffle = true,
                                       .drop_last = c.cuda_graph,  // the graph's fixed shapes
                                       .seed = c.seed,
                                       .threads = c.threads});
  BatchLoader val_loader(
      val_set, {.batch_size = c.batch, .shuffle = false, .seed = c.seed, .threads = c.threads});
  const int64_t batches_per_epoch = train_loader.batches_per_epoch();
  const int64_t total_steps = c.iters > 0 ? c.iters : c.epochs * batches_per_epoch;
  const int64_t total_epochs = (total_steps + batches_per_epoch - 1) / batches_per_epoch;

  std::snprintf(line, sizeof line, "model: %s x%g, %s head, %lld parameters, on %s",
                c.model.c_str(), c.width, models::head_name(head).c_str(),
                static_cast<long long>(result.parameters), device.str().c_str());
  log(line);
  std::snprintf(line, sizeof line,
                "data: %s, %zu train / %zu val images at %dx%d; %lld batches of %lld per epoch, "
                "%lld steps (%lld epochs)",
                c.data.c_str(), train_set.size(), val_set.size(), c.size, c.size,
                static_cast<long long>(batches_per_epoch), static_cast<long long>(c.batch),
                static_cast<long long>(total_steps), static_cast<long long>(total_epochs));
  log(line);

  // The prior and the loss.
  Tensor weights;
  if (c.loss == ColorLossKind::ClassRebal) {
    bool stopped = false, saved = false;
    weights = prepare_prior(c, out, device, log, stop, &stopped, &saved);
    if (saved) wrote("prior.safetensors");
    if (stopped) {
      result.interrupted = true;
      result.seconds = seconds_since(run_start);
      return result;
    }
  }
  const LossFunction loss_fn(c, *model, weights);

  // Gray baseline and the grid's fixed validation images.
  const int64_t n_val = static_cast<int64_t>(val_set.size());
  const int64_t n_grid = std::min<int64_t>(c.grid_images, n_val);
  std::set<int64_t> grid_indices;
  for (int64_t i = 0; i < n_grid; ++i) grid_indices.insert(i * n_val / n_grid);
  Tensor grid_L, grid_ab;
  {
    std::vector<Tensor> Ls, abs;
    color::AucAccumulator gray;
    val_loader.start_epoch(0);
    while (std::optional<Batch> batch = val_loader.next()) {
      const LabBatch lab = to_lab(batch->images, device);
      gray.add(zeros_like(lab.ab), lab.ab);
      for (int64_t k = 0; k < batch->size(); ++k)
        if (grid_indices.count(batch->indices[k])) {
          Ls.push_back(lab.L.slice(0, k, k + 1));
          abs.push_back(lab.ab.slice(0, k, k + 1));
        }
    }
    TINT_CHECK(gray.images() > 0, "no validation image under ", c.data, " could be read");
    result.gray_auc = gray.result().pooled;
    if (!Ls.empty()) grid_L = cat(Ls, 0), grid_ab = cat(abs, 0);
  }
  std::snprintf(line, sizeof line, "Gray baseline (a = b = 0) AuC on val: %.2f%%",
                100 * result.gray_auc);
  log(line);

  // Resume.
  if (resumed) {
    const Metadata& m = resumed->extra;
    const std::string path = last_path.string();
    load_checkpoint(path, *model, &opt);
    opt.set_lr(c.lr);
    pos.epoch = metadata_number<int64_t>(path, m, "train.pos.epoch", kKind);
    pos.batch = metadata_number<int64_t>(path, m, "train.pos.batch", kKind);
    pos.step = metadata_number<int64_t>(path, m, "train.pos.step", kKind);
    pos.loss_sum = metadata_number<double>(path, m, "train.pos.loss_sum", kKind);
    pos.loss_count = metadata_number<int64_t>(path, m, "train.pos.loss_count", kKind);
    pos.best_auc = metadata_number<double>(path, m, "train.pos.best_auc", kKind);
    for (auto& [name, d] : dropouts)
      d->generator().set_offset(metadata_number<uint64_t>(path, m, "train.dropout." + name, kKind));
    TINT_CHECK(pos.batch >= 0 && pos.batch <= batches_per_epoch && pos.step >= 0, path,
               ": the checkpoint's position (epoch ", pos.epoch, ", batch ", pos.batch,
               ") does not fit this data (", batches_per_epoch, " batches per epoch)");
    if (pos.batch == batches_per_epoch) pos.next_epoch();
    trim_metrics(metrics_path, pos.epoch);
    // Epochs are 1-based for users, as on the progress bar and in metrics.csv.
    if (pos.batch == 0)
      std::snprintf(line, sizeof line, "resumed from %s at the start of epoch %lld (step %lld)",
                    path.c_str(), static_cast<long long>(pos.epoch + 1),
                    static_cast<long long>(pos.step));
    else
      std::snprintf(line, sizeof line,
                    "resumed from %s in epoch %lld after batch %lld of %lld (step %lld)",
                    path.c_str(), static_cast<long long>(pos.epoch + 1),
                    static_cast<long long>(pos.batch), static_cast<long long>(batches_per_epoch),
                    static_cast<long long>(pos.step));
    log(line);
  } else {
    std::ofstream(metrics_path, std::ios::trunc) << kCsvHeader << "\n";
  }
  wrote("metrics.csv");
  result.steps = pos.step;
  result.epochs = pos.epoch;
  result.best_val_auc = pos.best_auc >= 0 ? pos.best_auc : std::nan("");

  // --cuda-graph: the step reads its batch from fixed tensors, refilled before each step.
  Tensor graph_L, graph_ab;
  std::unique_ptr<GraphedTrainStep> graphed;
  if (c.cuda_graph) {
    graph_L = Tensor::empty({c.batch, 1, c.size, c.size}, DType::Float32, device);
    graph_ab = Tensor::empty({c.batch, 2, c.size, c.size}, DType::Float32, device);
    graphed = std::make_unique<GraphedTrainStep>(
        device, [&] { return (*model)(graph_L); },
        [&](const Tensor& output) { return loss_fn(output, graph_ab); }, opt);
  }

  const auto save = [&](const fs::path& path) {
    Metadata extra = config_metadata(c);
    extra["train.pos.epoch"] = std::to_string(pos.epoch);
    extra["train.pos.batch"] = std::to_string(pos.batch);
    extra["train.pos.step"] = std::to_string(pos.step);
    extra["train.pos.loss_sum"] = format_metadata_number(pos.loss_sum);
    extra["train.pos.loss_count"] = std::to_string(pos.loss_count);
    extra["train.pos.best_auc"] = format_metadata_number(pos.best_auc);
    // The replays drew past the generators' host offsets (graphed_step.h).
    const uint64_t replayed = graphed ? graphed->dropout_counters_replayed() : 0;
    for (const auto& [name, d] : dropouts)
      extra["train.dropout." + name] = std::to_string(d->generator().offset() + replayed);
    save_checkpoint(path.string(), *model, &opt, extra);
    wrote(path.filename().string());
  };

  if (pos.step >= total_steps) {
    std::snprintf(line, sizeof line,
                  "nothing to do: the run in %s already did its %lld steps (raise --epochs or "
                  "--iters to train on)",
                  c.out.c_str(), static_cast<long long>(total_steps));
    log(line);
    result.seconds = seconds_since(run_start);
    return result;
  }

  // Images the remaining steps will see (the last batch of an epoch may be smaller).
  const int64_t n_train = static_cast<int64_t>(train_set.size());
  int64_t images_left = 0;
  for (int64_t s = pos.step, b = pos.batch; s < total_steps; ++s, b = (b + 1) % batches_per_epoch)
    images_left += std::min(c.batch, n_train - b * c.batch);
  std::optional<ProgressBar> bar;
  if (hooks.progress) bar.emplace(images_left, "train", "img");
  int64_t images_done = 0;

  const auto validate = [&](double* val_loss, double* val_auc) {
    model->eval();
    NoGradGuard no_grad;
    color::AucAccumulator auc;
    double loss_sum = 0;
    int64_t images = 0;
    val_loader.start_epoch(0);
    while (std::optional<Batch> batch = val_loader.next()) {
      const LabBatch lab = to_lab(batch->images, device);
      const Tensor output = (*model)(lab.L);
      loss_sum += loss_fn(output, lab.ab).item() * static_cast<double>(batch->size());
      images += batch->size();
      auc.add(decode_full_resolution(*model, output, c.size, c.size, c.temperature), lab.ab);
    }
    model->train();
    *val_loss = loss_sum / static_cast<double>(images) /
                static_cast<double>(loss_fn.pixels(c.size, c.size));
    *val_auc = auc.result().pooled;
  };

  const auto write_grid = [&](int64_t epoch) -> std::string {
    if (!grid_L.defined()) return "";
    model->eval();
    NoGradGuard no_grad;
    const Tensor pred =
        decode_full_resolution(*model, (*model)(grid_L), c.size, c.size, c.temperature);
    model->train();
    char name[64];
    std::snprintf(name, sizeof name, "grid_epoch%03lld.png", static_cast<long long>(epoch));
    write_png((out / name).string(), colorization_grid(grid_L, grid_ab, pred));
    wrote(name);
    return name;
  };

  model->train();
  const int64_t pixels_per_image = loss_fn.pixels(c.size, c.size);
  bool interrupted = false;
  while (pos.step < total_steps && !interrupted) {
    const auto epoch_start = Clock::now();
    const double wait_start = train_loader.wait_seconds();
    int64_t epoch_images = 0;
    train_loader.start_epoch(pos.epoch);
    for (int64_t k = 0; k < pos.batch; ++k) train_loader.next();  // resumed mid-epoch
    while (pos.step < total_steps) {
      std::optional<Batch> batch = train_loader.next();
      if (!batch) break;
      const LabBatch lab = to_lab(batch->images, device);
      if (c.cosine)
        opt.set_lr(c.lr * 0.5 *
                   (1 + std::cos(M_PI * static_cast<double>(pos.step) /
                                 static_cast<double>(total_steps))));
      Tensor loss;
      if (graphed) {
        if (batch->size() != c.batch) {  // images that could not be read: not this shape
          ++pos.batch;
          continue;
        }
        graph_L.copy_(lab.L);
        graph_ab.copy_(lab.ab);
        loss = graphed->step();
      } else {
        loss = loss_fn((*model)(lab.L), lab.ab);
        opt.zero_grad();
        loss.backward();
        opt.step();
      }
      const double value = loss.item() / static_cast<double>(pixels_per_image);
      TINT_CHECK(std::isfinite(value), "the training loss became ", value, " at step ",
                 pos.step + 1, "; lower --lr");
      pos.loss_sum += value;
      ++pos.loss_count;
      ++pos.batch;
      ++pos.step;
      if (hooks.on_step) hooks.on_step(pos.step, value);
      epoch_images += batch->size();
      images_done += batch->size();
      if (bar)
        bar->update(images_done, {{"epoch", static_cast<double>(pos.epoch + 1)},
                                  {"loss", pos.loss_sum / static_cast<double>(pos.loss_count)},
                                  {"wait_s", train_loader.wait_seconds()}});
      if (stop()) {
        interrupted = true;
        break;
      }
    }
    if (interrupted && pos.batch < batches_per_epoch && pos.step < total_steps)
      break;  // mid-epoch: saved below
    const double train_seconds = seconds_since(epoch_start);

    // End of an epoch (or of the run's last, partial one).
    EpochMetrics m;
    m.epoch = pos.epoch + 1;
    m.step = pos.step;
    m.train_loss = pos.loss_count > 0 ? pos.loss_sum / static_cast<double>(pos.loss_count) : 0;
    m.images_per_s = epoch_images / std::max(train_seconds, 1e-9);
    m.data_wait_s = train_loader.wait_seconds() - wait_start;
    validate(&m.val_loss, &m.val_auc);
    TINT_CHECK(std::isfinite(m.val_loss) && std::isfinite(m.val_auc), "the validation loss became ",
               m.val_loss, " (val AuC ", m.val_auc, ") after step ", pos.step, "; lower --lr");
    {
      std::ofstream csv(metrics_path, std::ios::app);
      char row[256];
      std::snprintf(row, sizeof row, "%lld,%lld,%.6f,%.6f,%.6f,%.2f,%.3f\n",
                    static_cast<long long>(m.epoch), static_cast<long long>(m.step), m.train_loss,
                    m.val_loss, m.val_auc, m.images_per_s, m.data_wait_s);
      csv << row;
    }
    const bool epoch_done = pos.batch >= batches_per_epoch;
    if (epoch_done) pos.next_epoch();
    const bool best = m.val_auc > pos.best_auc;
    if (best) pos.best_auc = m.val_auc;
    const bool last_epoch = pos.step >= total_steps;
    std::string grid;
    // Every `every` epochs, and at the end however it comes.
    const auto due = [&](int64_t every) {
      return m.epoch % every == 0 || last_epoch || interrupted;
    };
    const bool report = due(c.report_every);
    if (report) grid = write_grid(m.epoch);  // none with grid_images 0
    if (due(c.save_every)) save(last_path);
    if (best && c.save_best) save(best_path);
    result.history.push_back(m);
    result.epochs = m.epoch;
    result.steps = pos.step;
    result.best_val_auc = pos.best_auc;
    if (report) {
      std::snprintf(line, sizeof line,
                    "epoch %lld/%lld step %lld: train loss %.4f, val loss %.4f, val AuC %.2f%% "
                    "(gray %.2f%%)%s, %.0f img/s, data wait %.1f s%s%s",
                    static_cast<long long>(m.epoch), static_cast<long long>(total_epochs),
                    static_cast<long long>(m.step), m.train_loss, m.val_loss, 100 * m.val_auc,
                    100 * result.gray_auc, best ? " best" : "", m.images_per_s, m.data_wait_s,
                    grid.empty() ? "" : " -> ", grid.c_str());
      log(line);
    }
  }
  if (bar) bar->finish();
  if (interrupted) {
    save(last_path);
    result.interrupted = true;
    result.saved_on_stop = true;
    result.steps = pos.step;
  }
  result.seconds = seconds_since(run_start);
  return result;
}

}  // namespace tint::apps
