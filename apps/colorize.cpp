// colorize: colorizes images with a trained network. For each input image the network sees
// the image's L at its input size (--size, default 176), predicts ab at a quarter of that,
// and the ab, upsampled bilinearly to the image's own size, is joined to the image's own
// full-resolution L; the result is written as a PNG into --out (same stem, .png). Grey and
// colour inputs alike (only the lightness is used). The work is apps/support/colorize_image.h
// (colorize_files); this file is the flags.
//
//   colorize --checkpoint runs/colorizer/best.safetensors --out colorized photo.jpg dir/
//
// Inputs are image files or folders (searched recursively; the folder's tree is mirrored
// under --out). Exit status: 0 when every image was written. 1 when anything failed: a
// missing input path, a folder without images, a missing or bad checkpoint, an unavailable
// device stop the run before any image is done (one line naming the path); a file that does
// not decode stops the run when it is the only image, and among several it is skipped with a
// warning naming it, the others are done, and the run ends with status 1 and the count.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "app_main.h"
#include "colorize_image.h"

using namespace tint;

int main(int argc, char** argv) {
  CLI::App app{
      "Colorizes images with a trained colorization network: the network sees each image's "
      "lightness (L) at its input size and predicts ab, which is upsampled to the image's own "
      "size and joined to its full-resolution L; writes OUT/<stem>.png. Inputs are images or "
      "folders (recursive, tree mirrored under OUT). Exit status 1 when anything failed: a bad "
      "path, checkpoint or device stops the run at once; an unreadable image among several is "
      "skipped with a warning and the run ends with status 1 after the others are done."};
  apps::ColorizeRun run;
  run.progress = true;
  app.add_option("--checkpoint", run.checkpoint,
                 "a checkpoint written by train_colorizer (e.g. runs/colorizer/best.safetensors; "
                 "its metadata names the model, loss and width), or a plain safetensors state "
                 "dict (then give --model and --head)")
      ->required();
  app.add_option("--out", run.out, "output folder (created)")->required();
  app.add_option("inputs", run.inputs, "image files and folders")->required();
  auto* temperature_opt = app.add_option(
      "--temperature", run.options.temperature,
      "annealed-mean temperature (classification head; default: the checkpoint's "
      "train.temperature, else 0.38 as Zhang and the report); towards 0 the most likely bin, "
      "1 the mean. Use 1 for Zhang's released weights, whose logits carry the 1/0.38 already");
  auto* size_opt = app.add_option(
      "--size", run.options.size,
      "the network's input side, a multiple of 8 (default: the checkpoint's training size "
      "train.size, else 176): the image is resampled to it for the network only");
  app.add_flag("--keep-aspect", run.options.keep_aspect,
               "resample the short side to --size and the long side in proportion (rounded "
               "to a multiple of 8) instead of squeezing the image into a square");
  double max_pixels = static_cast<double>(apps::kDefaultMaxPixels);
  app.add_option("--max-pixels", max_pixels, apps::kMaxPixelsHelp)
      ->check(CLI::Range(1.0, apps::kMaxPixelsFlagLimit));
  app.add_flag("--compare", run.compare,
               "also write OUT/<stem>_compare.png: grey input | colorized | original (the "
               "original only when the input had colour)");
  app.add_option("--device", run.device, "auto (cuda when available), cpu, cuda or cuda:N")
      ->capture_default_str();
  std::string model, head;
  double width = 0;
  auto* model_opt = app.add_option(
      "--model", model, "seed or eccv16, when the checkpoint does not say (plain weights)");
  auto* head_opt = app.add_option("--head", head,
                                  "classification or regression, when the checkpoint does not "
                                  "say");
  auto* width_opt = app.add_option("--width", width,
                                   "channel multiplier, when the checkpoint does not say "
                                   "(plain weights: default 1)");
  CLI11_PARSE(app, argc, argv);
  run.max_pixels = static_cast<int64_t>(max_pixels);
  run.size_from_checkpoint = size_opt->count() == 0;
  run.temperature_from_checkpoint = temperature_opt->count() == 0;
  if (model_opt->count()) run.spec.model = model;
  if (head_opt->count()) run.spec.head = head;
  if (width_opt->count()) run.spec.width = width;

  return apps::run_app("colorize", [&] {
    const apps::ColorizeResult result = apps::colorize_files(run);
    std::printf("colorize: wrote %zu image(s) to %s%s\n", result.written.size(), run.out.c_str(),
                run.compare ? " (each with a _compare.png panel)" : "");
    if (result.skipped.empty()) return 0;
    std::fprintf(stderr, "colorize: %zu of %zu image(s) could not be read and were skipped\n",
                 result.skipped.size(), result.skipped.size() + result.written.size());
    return 1;
  });
}
