// evaluate's flags (evaluate_flags.h).
#include "evaluate_flags.h"

#include "flag_checks.h"
#include "setting_limits.h"

namespace tint::apps {

void add_evaluate_flags(CLI::App& app, EvaluateFlags& f) {
  app.description(
      "Scores colorizations of one split of an image folder against the images' own colours, "
      "as the report's Table 1: AuC of the per-pixel ab error (fraction of pixels within t "
      "for t = 0..150, normalised area) pooled and per image, Zhang's class-rebalanced AuC, "
      "mean chroma of prediction and truth and, with --classifier, the classifier's accuracy "
      "on the colorized images (labels: each image's parent folder name). Give a checkpoint "
      "or a baseline: gray (a = b = 0), random (the ab of a random training image) or truth. "
      "Exit status 1 when anything failed: a bad flag, path, checkpoint or device stops the "
      "run at once; images of the split that cannot be read are skipped with a warning, the "
      "others are scored and written, and the run ends with status 1 and the count.");
  EvaluateConfig& c = f.config;
  c.progress = true;
  app.add_option("--checkpoint", c.checkpoint,
                 "a colorizer written by train_colorizer (or a plain state dict with --model "
                 "and --head)");
  app.add_option("--baseline", c.baseline, "gray, random or truth instead of a checkpoint");
  app.add_option("--data", c.data, "image folder (train/ val/ test/ subfolders, or a seeded "
                                   "60/20/20 split)")
      ->required();
  app.add_option("--split", f.split, "train, val or test")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test"}));
  app.add_option("--out", c.out, "output folder (created)")->required();
  f.size_option = app.add_option("--size", f.size,
                                 "images are resized to N x N (default: the checkpoint's "
                                 "training size, else 176)")
                      ->transform(flags::whole_number(limits::kImageSize));
  f.temperature_option = app.add_option("--temperature", f.temperature,
                                        "annealed-mean temperature (default: the checkpoint's, "
                                        "else 0.38)")
                             ->transform(flags::real_number(limits::kTemperature));
  app.add_option("--random-from", c.random_from,
                 "random baseline: the folder whose training split gives the colours "
                 "(default: --data)");
  app.add_option("--seed", c.seed, "random baseline draws; the seeded split")
      ->capture_default_str()
      ->transform(flags::seed_number());
  app.add_option("--classifier", c.classifier,
                 "a classifier written by train_classifier, or VGG16 weights (safetensors, "
                 "torchvision names) with --class-map");
  app.add_option("--class-map", c.class_map,
                 "JSON: label -> ImageNet class indices (e.g. data/imagenet_fruit_classes.json), "
                 "for VGG16 weights");
  app.add_option("--device", c.device, "auto (cuda when available), cpu, cuda or cuda:N")
      ->capture_default_str();
  app.add_option("--batch", c.batch, "images per batch")
      ->capture_default_str()
      ->transform(flags::whole_number(limits::kBatch));
  app.add_option("--threads", c.threads, "image decoding threads (0: automatic)")
      ->capture_default_str()
      ->transform(flags::whole_number(limits::kDecodeThreads));
  flags::add_max_pixels_flag(app, c.max_pixels);
  app.add_flag("--no-images", f.no_images, "do not write the colorized images");
  f.model_option = app.add_option("--model", f.model, "seed or eccv16, for plain weights");
  f.head_option =
      app.add_option("--head", f.head, "classification or regression, for plain weights");
  f.width_option = app.add_option("--width", f.width, "channel multiplier, for plain weights")
                       ->transform(flags::real_number(limits::kColorizerWidth));
  flags::one_line_errors(app, "evaluate");
}

EvaluateConfig evaluate_config(const EvaluateFlags& f) {
  EvaluateConfig c = f.config;
  c.split = parse_split(f.split);
  c.save_images = !f.no_images;
  if (f.size_option->count()) c.size = f.size;
  if (f.temperature_option->count()) c.temperature = f.temperature;
  if (f.model_option->count()) c.spec.model = f.model;
  if (f.head_option->count()) c.spec.head = f.head;
  if (f.width_option->count()) c.spec.width = f.width;
  return c;
}

}  // namespace tint::apps
