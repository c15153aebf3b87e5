// colorize's flags (colorize_flags.h).
#include "colorize_flags.h"

#include "flag_checks.h"
#include "setting_limits.h"

namespace tint::apps {

void add_colorize_flags(CLI::App& app, ColorizeFlags& f) {
  app.description(
      "Colorizes images with a trained colorization network: the network sees each image's "
      "lightness (L) at its input size and predicts ab, which is upsampled to the image's own "
      "size and joined to its full-resolution L; writes OUT/<stem>.png. Inputs are images or "
      "folders (recursive, tree mirrored under OUT). Exit status 1 when anything failed: a bad "
      "flag, path, checkpoint or device stops the run at once; an unreadable image among "
      "several is skipped with a warning, the others are done, and the run ends with status "
      "1 and the count of skipped images.");
  ColorizeRun& run = f.run;
  run.progress = true;
  app.add_option("--checkpoint", run.checkpoint,
                 "a checkpoint written by train_colorizer (e.g. runs/colorizer/best.safetensors; "
                 "its metadata names the model, loss and width), or a plain safetensors state "
                 "dict (then give --model and --head)")
      ->required();
  app.add_option("--out", run.out, "output folder (created)")->required();
  app.add_option("inputs", run.inputs, "image files and folders")->required();
  f.temperature =
      app.add_option("--temperature", run.options.temperature,
                     "annealed-mean temperature (classification head; default: the checkpoint's "
                     "train.temperature, else 0.38 as Zhang and the report); towards 0 the most "
                     "likely bin, 1 the mean. Use 1 for Zhang's released weights, whose logits "
                     "carry the 1/0.38 already")
          ->transform(flags::real_number(limits::kTemperature));
  f.size = app.add_option("--size", run.options.size,
                          "the network's input side (default: the checkpoint's training size "
                          "train.size, else 176): the image is resampled to it for the network "
                          "only")
               ->transform(flags::whole_number(limits::kImageSize));
  app.add_flag("--keep-aspect", run.options.keep_aspect,
               "resample the short side to --size and the long side in proportion (rounded "
               "to a multiple of 8) instead of squeezing the image into a square; refused "
               "for an image whose long side is over 16 times its short side");
  flags::add_max_pixels_flag(app, run.max_pixels);
  app.add_flag("--compare", run.compare,
               "also write OUT/<stem>_compare.png: grey input | colorized | original (the "
               "original only when the input had colour)");
  app.add_option("--device", run.device, "auto (cuda when available), cpu, cuda or cuda:N")
      ->capture_default_str();
  f.model_option = app.add_option(
      "--model", f.model, "seed or eccv16, when the checkpoint does not say (plain weights)");
  f.head_option = app.add_option("--head", f.head,
                                 "classification or regression, when the checkpoint does not "
                                 "say");
  f.width_option = app.add_option("--width", f.width,
                                  "channel multiplier, when the checkpoint does not say "
                                  "(plain weights: default 1)")
                       ->transform(flags::real_number(limits::kColorizerWidth));
  flags::one_line_errors(app, "colorize");
}

ColorizeRun colorize_run(const ColorizeFlags& f) {
  ColorizeRun run = f.run;
  run.size_from_checkpoint = f.size->count() == 0;
  run.temperature_from_checkpoint = f.temperature->count() == 0;
  if (f.model_option->count()) run.spec.model = f.model;
  if (f.head_option->count()) run.spec.head = f.head;
  if (f.width_option->count()) run.spec.width = f.width;
  return run;
}

}  // namespace tint::apps
