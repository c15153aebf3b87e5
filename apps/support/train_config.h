// The settings of a colorizer training run (apps/train_colorizer's flags, the trainer's
// input), the machine-sized presets, and their record in checkpoint metadata so that
// --resume continues with the settings the run started with.
//
// Presets. "report" is the course report's recipe (seed network at width 1, 176 x 176
// inputs, batch 8, Adam lr 3e-5, weight decay 1e-3, class-rebalanced loss at full
// resolution, 100 epochs). "cpu-small" is sized for a few minutes on a 2-core CPU (see
// cpu_small_preset in train_config.cpp for the values and why): the report's lr 3e-5 barely
// moves a network in minutes, so it uses Adam lr 1e-3 with a narrow network on small images.
// "auto" picks cpu-small on a CPU and report on a GPU. A preset only fills the settings the
// user did not give explicitly: an explicit flag always wins.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "framework/io/metadata.h"
#include "image_folder.h"
#include "kernels/color_loss.h"

namespace tint::apps {

// The training loss (report section 2): class-rebalanced cross-entropy (eq. 2 with Zhang's
// weights), the unweighted cross-entropy ("Class"), or the L2 regression loss (eq. 1).
enum class ColorLossKind { ClassRebal, Class, L2 };
const char* color_loss_name(ColorLossKind kind);          // "class-rebal", "class", "l2"
ColorLossKind parse_color_loss(const std::string& name);  // tint::Error listing the names

const char* target_resolution_name(color::TargetResolution r);  // "full", "subsampled"
color::TargetResolution parse_target_resolution(const std::string& name);

struct TrainConfig {
  std::string model = "seed";  // models/registry.h: "seed" or "eccv16"
  ColorLossKind loss = ColorLossKind::ClassRebal;
  std::string data = "data/samples";  // image folder (train/ val/ test/, or a seeded split)
  int size = 176;                     // images are size x size (a multiple of 8)
  int64_t batch = 8;
  int64_t epochs = 100;
  int64_t iters = 0;  // > 0: stop after this many optimizer steps (overrides epochs)
  double lr = 3e-5;
  // The learning rate over the run: constant (the report), or cosine: lr * (1 + cos(pi *
  // step / steps)) / 2, decaying to 0 at the last step (a pure function of the step, so a
  // resumed run follows the same curve).
  bool cosine = false;
  double weight_decay = 1e-3;  // Adam's L2 weight decay (added to the gradient), as the report
  double lambda = 0.5;         // prior mixing weight (Zhang eq. 4)
  double temperature = 0.38;   // annealed-mean temperature for decoding
  double width = 1.0;          // channel multiplier of the network
  color::TargetResolution target_resolution = color::TargetResolution::Full;
  std::string device = "auto";  // auto, cpu, cuda, cuda:N
  uint64_t seed = 0;            // initialisation, dropout, split, shuffling, augmentation
  std::string out = "runs/colorizer";
  bool resume = false;       // continue from out/last.safetensors
  bool overwrite = false;    // a new run replaces the run in out (else out must hold none)
  std::string prior;         // a prior file to use; empty: computed from the training split
  int64_t report_every = 1;  // epochs between summary lines and grid PNGs (the last always)
  int64_t save_every = 1;    // epochs between last.safetensors writes (the last always)
  bool save_best = true;     // best.safetensors when the val AuC is the best so far
  int grid_images = 12;      // validation images in each grid PNG
  int threads = 0;           // image decoding threads (0: automatic)
  int64_t max_pixels = kDefaultMaxPixels;  // larger images are skipped before decoding
  bool augment = true;       // resize-crop jitter and flips on the training split
  // "fp32", or "bf16": bfloat16 mixed precision (nn::settings().autocast_bfloat16,
  // framework/ops/mixed_precision.h) for the run's forward and backward passes.
  std::string precision = "fp32";
  // The convolutions in the channels_last layout (nn::settings().channels_last, framework/
  // tensor/layout.h): cuDNN's tensor-core layout on a GPU; the same results.
  bool channels_last = false;
  // Each training step captured once into a CUDA graph and replayed (framework/optim/
  // graphed_step.h): the host's per-op work paid once. GPU only; the graph's shapes are
  // fixed, so every epoch drops its last, smaller batch (and any batch short of images
  // that could not be read).
  bool cuda_graph = false;
};

// The presets by name: "auto", "report", "cpu-small".
std::vector<std::string> preset_names();
// The settings of a preset ("report" or "cpu-small"); other settings at their defaults.
TrainConfig preset_config(const std::string& name);
// Fills every setting whose flag name ("--lr", "--width", ...) is not in explicit_flags with
// the preset's value. "auto" resolves to cpu-small when on_cpu, else report. Returns the
// resolved preset's name. An unknown name is a tint::Error listing the names.
std::string apply_preset(TrainConfig& config, const std::string& preset, bool on_cpu,
                         const std::set<std::string>& explicit_flags);

// The settings of config that differ from the report's recipe without being in
// explicit_flags (so came from a preset), as "lr 0.001 instead of 3e-05, width 0.125 instead
// of 1, ..."; "none" when there are none.
std::string preset_changes(const TrainConfig& config, const std::set<std::string>& explicit_flags);

// The settings that fix what a checkpoint holds and how training continues, as checkpoint
// metadata ("train.model", "train.width", ...).
Metadata config_metadata(const TrainConfig& config);
// For --resume: settings the user did not give explicitly are taken from the checkpoint's
// metadata (so "--out DIR --resume" continues the run as it started); a setting given
// explicitly that contradicts the checkpoint on something the weights depend on (model,
// width, loss, size, batch, seed, target resolution) is a tint::Error naming the flag and
// both values. path names the checkpoint in messages.
void adopt_checkpoint_settings(TrainConfig& config, const Metadata& meta, const std::string& path,
                               const std::set<std::string>& explicit_flags);
// The same check without adopting anything: every structural setting must match.
void check_checkpoint_settings(const TrainConfig& config, const Metadata& meta,
                               const std::string& path);

// One line: "seed x0.125, class-rebal loss (full resolution), 64x64, batch 8, epochs 160, ..."
std::string describe(const TrainConfig& config);

}  // namespace tint::apps
