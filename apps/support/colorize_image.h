// Colorizing one image with a trained network (the reusable part of apps/colorize): loading
// a colorization network from a checkpoint, and RGB image -> colorized RGB image at the
// input's own resolution (the network sees L at its input size; its ab, predicted at a
// quarter of that, is upsampled bilinearly to the original size and joined to the input's
// full-resolution L). Also the side-by-side comparison panel.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "image_folder.h"
#include "image_io.h"
#include "kernels/annealed_mean.h"
#include "models/colorizer.h"

namespace tint::apps {

// What to build when the checkpoint does not say (or to check against what it says).
struct ModelSpec {
  std::optional<std::string> model;  // "seed", "eccv16" (models/registry.h)
  std::optional<std::string> head;   // "classification", "regression"
  std::optional<double> width;       // channel multiplier
};

// Where a checkpoint's metadata says what network it holds. apps/train_colorizer writes
// "train.model", "train.width" and "train.loss" (l2: the regression head; class-rebal and
// class: classification), with "train.size" (its image size) and "train.temperature"; a
// checkpoint written otherwise may carry plain "model", "head" and "width" instead.
inline constexpr const char* kTrainModelKey = "train.model";
inline constexpr const char* kTrainWidthKey = "train.width";
inline constexpr const char* kTrainLossKey = "train.loss";
inline constexpr const char* kTrainSizeKey = "train.size";
inline constexpr const char* kTrainTemperatureKey = "train.temperature";
inline constexpr const char* kModelKey = "model";
inline constexpr const char* kHeadKey = "head";
inline constexpr const char* kWidthKey = "width";

struct LoadedColorizer {
  std::unique_ptr<models::ColorizerModel> model;  // in eval mode, on the requested device
  std::map<std::string, std::string> metadata;    // the checkpoint's own (non-tint) entries
  bool tint_checkpoint = true;  // false: a plain safetensors state dict (e.g. converted weights)
  std::optional<int> trained_size;            // train.size, when recorded
  std::optional<double> trained_temperature;  // train.temperature, when recorded
};

// Loads a network from path:
// - a tint checkpoint (framework/io/checkpoint.h): the model's name, head and width come from
//   its metadata (the keys above); one the checkpoint lacks is taken from spec, and a spec
//   value that contradicts the checkpoint is a tint::Error;
// - any other safetensors file is read as a plain state dict (names as the model's
//   state_dict, an optional "model." prefix stripped), with model and head from spec
//   (required) and width from spec (default 1);
// - another tint file (a colour prior: "tint.format" other than a checkpoint's) and a
//   train_classifier checkpoint (an image classifier) are tint::Errors saying so.
// The weights load strictly. Every error names the path: a missing or unreadable file, a
// missing key with no flag to stand in, an unknown model or head, mismatched weights, and
// a recorded width, train.size or train.temperature outside the flags' ranges
// (setting_limits.h; the error names the key).
LoadedColorizer load_colorizer(const std::string& path, const ModelSpec& spec, Device device);

// The ranges are setting_limits.h's (kTemperature, kImageSize); out of them is a tint::Error.
struct ColorizeOptions {
  double temperature = color::kAnnealedTemperature;  // annealed mean (classification head)
  int size = 176;  // the network's input side; a multiple of 8
  // false: the image is resampled to size x size whatever its shape (Zhang's demo);
  // true: its short side to size and the long side in proportion, rounded to a multiple of 8.
  bool keep_aspect = false;
};

// With keep_aspect the network input's long side grows with the image's aspect ratio (a
// 1 x 20000 image would make a 176 x 3520000 input, gigabytes of activations): an image whose
// long side is over this many times its short side is refused.
inline constexpr int kMaxKeepAspectRatio = 16;

// Why an image of width x height cannot be given to the network with these options, as a
// phrase that follows "it" (with keep_aspect: an aspect ratio over kMaxKeepAspectRatio), or
// empty when it can.
std::string network_input_problem(int width, int height, const ColorizeOptions& options);
// The network input's width x height for an image of that size (see keep_aspect); a
// tint::Error for a bad size or an image network_input_problem refuses.
std::pair<int, int> network_input_size(int width, int height, const ColorizeOptions& options);

// Colorizes image (uint8 RGB; only its lightness is used): L of the image resampled to the
// network's input size (area averaging when shrinking, bilinear when enlarging) goes through
// the model (no gradient, eval mode expected), its output is decoded to ab (annealed mean at
// options.temperature, or the regression decoding), upsampled bilinearly to the image's own
// size and joined to the image's full-resolution L; the result converted to sRGB (clipped
// where the Lab colour is outside the gamut). Runs on the model's device. Same size as image.
RgbImage colorize_image(models::ColorizerModel& model, const RgbImage& image,
                        const ColorizeOptions& options = {});

// True when every pixel has R = G = B.
bool is_grey(const RgbImage& image);
// The image's lightness only: its L with a = b = 0, as sRGB (what the network is given).
RgbImage grey_image(const RgbImage& image);
// The panels left to right, top-aligned, separated by gap white columns; the height is the
// tallest panel's (shorter panels padded white). At least one panel.
RgbImage side_by_side(const std::vector<const RgbImage*>& panels, int gap = 8);

// The whole colorize app short of its flags: a list of inputs (image files, or folders
// searched recursively) colorized into an output folder.
struct ColorizeRun {
  std::string checkpoint;
  ModelSpec spec;                 // for checkpoints that do not name the model
  std::string device = "auto";    // auto (cuda when available), cpu, cuda, cuda:N
  std::vector<std::string> inputs;
  std::string out;                // created; a folder input's tree is mirrored under it
  ColorizeOptions options;
  // When set, options.size / options.temperature give way to the checkpoint's train.size /
  // train.temperature where it records them (the app sets them unless the flag was given).
  bool size_from_checkpoint = false, temperature_from_checkpoint = false;
  int64_t max_pixels = kDefaultMaxPixels;  // larger images are refused before decoding
  bool compare = false;           // also <stem>_compare.png: grey | colorized | original
  bool progress = false;          // a progress bar on stderr (several images only)
  std::function<void(const std::string&)> warn;  // default: "warning: ..." on stderr
  std::function<void(const std::string&)> info;  // default: the one-line setup on stderr
};

struct ColorizeResult {
  std::vector<std::string> written;  // the colorized PNGs, in input order
  std::vector<std::string> skipped;  // inputs that did not decode (several inputs only)
};

// Output names: <out>/<stem>.png for a file input, <out>/<path relative to the folder with
// .png> for a folder's images; a later input whose output name is taken gets "-2", "-3", ...
// Each file is colorized once: a folder is listed as list_image_files does (a symlink loop is
// warned about and left out), and a file given again (the same canonical path) is skipped
// with a warning.
// tint::Error (one sentence naming the path), before any image is written, for: no inputs, an
// input path that does not exist, a folder without images, an output that would overwrite
// its input, an output folder inside an input folder (the next run over that folder would
// colorize the colorizations), a missing or unloadable checkpoint, an unavailable device, a
// bad --size or temperature, an output folder that cannot be created. An image that cannot be
// done (it does not decode, is not a regular file, is over max_pixels, or its keep_aspect
// input would be too long) is a tint::Error naming it when it is the only image; among
// several it is skipped with a warning naming it and listed in skipped, and the others are
// done. A failure while an image is colorized (out of memory, a write error) is a
// tint::Error naming the image.
ColorizeResult colorize_files(const ColorizeRun& run);

}  // namespace tint::apps
