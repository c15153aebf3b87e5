// The colorizer trainer behind apps/train_colorizer: one run from a TrainConfig (see
// train_config.h), as a library so tests drive it directly.
//
// What a run does, in order:
// - the train and val splits of config.data (apps/support/dataset.h) at size x size; train
//   augmented (resize-crop jitter, flips), val centre-cropped;
// - the class-rebalancing prior (class-rebal loss only): loaded from config.prior, or from
//   out/prior.safetensors when resuming, else the ab histogram of the training split at
//   size x size (no augmentation); its weights are always derived with config.lambda; saved
//   to out/prior.safetensors;
// - the Gray baseline's AuC (a = b = 0) on the val split, once;
// - the network (models/registry.h, initialised from config.seed) and Adam (betas 0.9,
//   0.999, L2 weight decay as torch.optim.Adam) over its trainable parameters, at a constant
//   lr or (config.cosine) one set before every step from the step alone;
// - per step: a batch of uint8 images to the device, Lab there (kernels/lab.h), L in, loss
//   against the ab (class-rebal / class: kernels/color_loss.h's rebalanced cross-entropy at
//   the full or the subsampled target resolution; l2: l2_color_loss of the decoded
//   regression output, nearest-upsampled x4 to full resolution or against the subsampled
//   ab). Losses are reduced per image (the report's sum over pixels, mean over the batch)
//   and reported per pixel (divided by the loss's pixels per image), so full and
//   subsampled runs read alike;
// - at the end of every epoch (and of the last, partial one under --iters): validation
//   (eval mode, no gradient): the loss, and the AuC (kernels/metrics.h, pooled over pixels,
//   thresholds 0..150) of the decoded ab upsampled to full resolution against the true ab;
//   a row of out/metrics.csv; out/last.safetensors every save_every epochs (and the last,
//   and on a stop); out/best.safetensors when the val AuC is the best so far (unless
//   save_best is off); every report_every epochs (and the last) a summary line and
//   out/grid_epochNNN.png (train_grid.h) of grid_images fixed val images, evenly spaced
//   through the split.
// - Decoding for AuC and grids: classification by the annealed mean at config.temperature
//   (models' decode), regression by the network's own encoding; then bilinear x4
//   (align_corners = false, as the eccv16 port's output) to the input's size, joined to the
//   input's own full-resolution L.
//
// Stopping. hooks.should_stop is polled after every step (and while the prior is computed);
// when it returns true the run saves out/last.safetensors with its exact position and returns with
// interrupted = true. A checkpoint holds the model, Adam's state and, as metadata, the
// settings (train_config.h), the epoch and batch position, the dropout layers' random
// counters and the partial epoch's loss sums, so --resume continues a run, on the CPU,
// exactly as if it had not stopped (the data order and augmentation are pure functions of
// seed and epoch).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "framework/tensor/tensor.h"
#include "models/colorizer.h"
#include "output_guard.h"
#include "train_config.h"

namespace tint::apps {

struct EpochMetrics {
  int64_t epoch = 0;  // 1-based: epochs finished (a partial last epoch counts)
  int64_t step = 0;   // optimizer steps so far
  double train_loss = 0, val_loss = 0, val_auc = 0;  // losses per pixel, AuC in [0, 1]
  double images_per_s = 0, data_wait_s = 0;          // training phase of this epoch
};

struct TrainResult {
  bool interrupted = false;
  bool saved_on_stop = false;  // interrupted with a checkpoint written (not during the prior)
  int64_t parameters = 0;      // the network's parameter count
  int64_t steps = 0;           // optimizer steps done in all (including before a resume)
  int64_t epochs = 0;          // epochs finished
  double gray_auc = std::numeric_limits<double>::quiet_NaN();  // Gray baseline on val
  double best_val_auc = std::numeric_limits<double>::quiet_NaN();
  std::vector<EpochMetrics> history;  // the epochs finished by this call
  // The files this call wrote into config.out, by name, in the order first written
  // ("prior.safetensors", "metrics.csv", "grid_epoch001.png", "last.safetensors", ...).
  std::vector<std::string> written;
  double seconds = 0;  // wall time of this call
};

struct TrainHooks {
  // Polled after every step with the steps done so far (and between phases of the start,
  // with the steps done before it): true stops the run.
  std::function<bool(int64_t steps)> should_stop;
  std::function<void(const std::string&)> log;  // one line at a time; default: stdout
  // Called after every optimizer step with the steps done so far and that step's loss per
  // pixel (the batch's per-image mean).
  std::function<void(int64_t steps, double loss)> on_step;
  bool progress = true;                         // draw a progress bar on stderr
};

// The network output (N, C, h, w) decoded to ab at the input's full resolution (N, 2, H, W):
// classification by the annealed mean at the temperature, regression by the network's
// encoding, then bilinear upsampling to H x W.
Tensor decode_full_resolution(const models::ColorizerModel& model, const Tensor& out, int64_t h,
                              int64_t w, double temperature);

// The files a run writes into its folder (metrics.csv, last, best and prior safetensors,
// grid_epochNNN.png): a folder holding any of them holds a run.
const RunFileNames& colorizer_run_files();

// Runs (or with config.resume, continues) a training run. Errors (a missing or empty data
// folder, an unreadable prior or checkpoint, bad settings) are tint::Errors with one clear
// sentence; nothing is written before the inputs have been checked. The output folder:
// config.out must lie outside config.data (the run's grids would become training images);
// a new run refuses a folder that holds an earlier run (colorizer_run_files) unless
// config.overwrite, which removes the earlier run's files first (output_guard.h); the
// temporaries of saves that a killed run left there are removed.
TrainResult train_colorizer(const TrainConfig& config, const TrainHooks& hooks = {});

}  // namespace tint::apps
