// Evaluating colorizations as in the report's section 3 and Zhang et al. section 3.1 (the
// library behind apps/evaluate): a colorizer checkpoint or a baseline run over one split of
// an image folder, scored against the images' own colours.
//
// Methods. A checkpoint (apps/train_colorizer's, or a plain state dict with --model/--head)
// predicts ab from L; the baselines are the report's: gray (a = b = 0), random (the ab of a
// random image of the training split of random_from, drawn per test image from the seed),
// and truth (the image's own ab: the Ground Truth row, AuC 100 %).
//
// Images are the split's, each resized to size x size exactly as the trainer's validation
// (apps/support/dataset.h: short side to size, centre crop). The network's ab (a quarter of
// that) is decoded (annealed mean at the temperature, or the regression encoding) and
// upsampled bilinearly to size x size, as in training's validation.
//
// Scores (kernels/metrics.h). Per pixel, the L2 distance in ab to the truth; the fraction
// within t for t = 0..150 and its normalised area (AuC): pooled over all pixels, and the mean
// of per-image AuCs (the two agree when every image has as many pixels, as here where all
// are size x size; they differ for weighted or unequal sets). The class-rebalanced AuC (Zhang's extra column) weights each pixel by
// 1 / (pixels of its true colour's ab bin in the whole evaluated set), so every colour class
// present counts equally. Mean chroma sqrt(a^2 + b^2) of prediction and truth (saturation).
// Per image: the cumulative fraction of images whose mean error is within t.
//
// Classifier accuracy (the report's VGG column): with a classifier (image_classifier.h), each
// colorized image (L of the image + predicted ab, as sRGB) is classified and compared with its
// label, the name of its parent folder; images whose label the classifier does not know are
// left out and counted.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "colorize_image.h"
#include "dataset.h"
#include "framework/tensor/tensor.h"

namespace tint::apps {

enum class EvalMethod { Checkpoint, Truth, Gray, Random };
const char* eval_method_name(EvalMethod method);  // "checkpoint", "truth", "gray", "random"
// "truth", "gray" or "random"; tint::Error listing them otherwise.
EvalMethod parse_baseline(const std::string& name);

struct EvaluateConfig {
  std::string data;            // the image folder (train/ val/ test/, or a seeded split)
  Split split = Split::Test;
  std::string checkpoint;      // a colorizer checkpoint ...
  std::string baseline;        // ... or a baseline name (exactly one of the two)
  ModelSpec spec;              // for checkpoints that do not name the model
  // Not set: the checkpoint's training size, else 176 / the checkpoint's, else 0.38. Set, each
  // must lie in its range (setting_limits.h: a multiple of 8 in [8, 4096] / (0, 10]).
  std::optional<int> size;
  std::optional<double> temperature;
  std::string random_from;     // random baseline: its training split's images (default: data)
  uint64_t seed = 0;           // random baseline's draws; the seeded split of data
  std::string classifier;      // optional: a classifier checkpoint (or VGG16 weights ...
  std::string class_map;       // ... with this class map)
  std::string device = "auto";
  std::string out;             // output folder (created)
  bool save_images = true;     // out/images/<id>: every colorized image as PNG
  int64_t batch = 32;          // in setting_limits.h's kBatch
  int threads = 0;             // image decoding threads (0: automatic), kDecodeThreads
  int64_t max_pixels = kDefaultMaxPixels;  // larger images are skipped before decoding
  bool progress = false;       // a progress bar on stderr
  std::function<void(const std::string&)> log;  // one-line messages (default: stdout)
};

struct ImageScore {
  std::string id;  // the image's path relative to its split folder (or to data when seeded)
  double auc = 0, mean_error = 0, chroma_pred = 0, chroma_true = 0;
  std::string label, predicted;  // with a classifier only
};

struct EvaluationResult {
  std::string method;  // "checkpoint" or the baseline's name
  std::string loss;    // a checkpoint's training loss when it records one ("class-rebal", ...)
  std::string description;
  int64_t images = 0;
  int64_t skipped = 0;  // split images that could not be read (left out of every score)
  int size = 0;
  double temperature = 0;
  double auc_pooled = 0, auc_per_image_mean = 0, auc_rebalanced = 0;  // in [0, 1]
  double mean_error = 0, chroma_pred = 0, chroma_true = 0;           // ab units, per pixel
  std::vector<double> pixels_within, images_within;                   // t = 0..150
  std::vector<ImageScore> per_image;
  std::optional<double> classifier_accuracy;  // with a classifier
  int64_t classifier_images = 0, classifier_unknown = 0;
  std::string classifier;
  double seconds = 0;
};

// The scores of predicted against true ab (N, 2, H, W), on any device; fills every score of
// result but the classifier's and the per-image ids/labels (per_image gets one entry each).
void score_ab(const Tensor& pred_ab, const Tensor& true_ab, EvaluationResult& result);
// Zhang's class-rebalanced weights of true ab (N, 2, H, W): 1 / (count of the pixel's
// nearest-bin class over all N images), as (N, H, W) float64 on the cpu.
Tensor class_rebalanced_weights(const Tensor& true_ab);
// Fraction of values <= t for t = 0..150.
std::vector<double> cumulative_within(const std::vector<double>& values);

// Runs an evaluation (see above). tint::Error, naming the thing, before anything is written
// for: neither or both of checkpoint and baseline, an unknown baseline, a missing or empty
// folder or split, a size, temperature, batch or thread count out of its range, an
// unloadable checkpoint or classifier. Images of the split that cannot be read are left out
// and counted in skipped (apps/evaluate then exits with status 1).
EvaluationResult evaluate_colorization(const EvaluateConfig& config);

// Writes out/summary.json, out/per_image.csv, out/cumulative.csv and out/cumulative.png (the
// cumulative per-pixel and per-image error histograms), each atomically.
void write_evaluation(const EvaluationResult& result, const EvaluateConfig& config);

}  // namespace tint::apps
