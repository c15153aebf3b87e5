// evaluate: scores a colorizer checkpoint or a baseline (gray, random, truth) on one split of
// an image folder, as the report's Table 1 (raw-accuracy AuC of per-pixel ab errors, pooled
// and per image; Zhang's class-rebalanced AuC; mean chroma; with --classifier the accuracy of
// a classifier on the colorized images). The work is apps/support/evaluation.h; this file is
// the flags.
//
//   evaluate --checkpoint runs/colorizer/best.safetensors --data datasets/fruits --out eval/c
//   evaluate --baseline gray --data datasets/fruits --size 64 --out eval/gray
//
// Writes OUT/summary.json, OUT/per_image.csv, OUT/cumulative.csv, OUT/cumulative.png and
// OUT/images/<id>.png (the colorized images; --no-images leaves them out).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "app_main.h"
#include "evaluation.h"
#include "image_folder.h"

using namespace tint;

int main(int argc, char** argv) {
  apps::prefer_passive_openmp_waiting(argv);  // see app_main.h
  CLI::App app{
      "Scores colorizations of one split of an image folder against the images' own colours, "
      "as the report's Table 1: AuC of the per-pixel ab error (fraction of pixels within t "
      "for t = 0..150, normalised area) pooled and per image, Zhang's class-rebalanced AuC, "
      "mean chroma of prediction and truth and, with --classifier, the classifier's accuracy "
      "on the colorized images (labels: each image's parent folder name). Give a checkpoint "
      "or a baseline: gray (a = b = 0), random (the ab of a random training image) or truth."};
  apps::EvaluateConfig c;
  c.progress = true;
  app.add_option("--checkpoint", c.checkpoint,
                 "a colorizer written by train_colorizer (or a plain state dict with --model "
                 "and --head)");
  app.add_option("--baseline", c.baseline, "gray, random or truth instead of a checkpoint");
  app.add_option("--data", c.data, "image folder (train/ val/ test/ subfolders, or a seeded "
                                   "60/20/20 split)")
      ->required();
  std::string split = "test";
  app.add_option("--split", split, "train, val or test")->capture_default_str();
  app.add_option("--out", c.out, "output folder (created)")->required();
  app.add_option("--size", c.size,
                 "images are resized to N x N, a multiple of 8 (default: the checkpoint's "
                 "training size, else 176)");
  app.add_option("--temperature", c.temperature,
                 "annealed-mean temperature (default: the checkpoint's, else 0.38)");
  app.add_option("--random-from", c.random_from,
                 "random baseline: the folder whose training split gives the colours "
                 "(default: --data)");
  app.add_option("--seed", c.seed, "random baseline draws; the seeded split")
      ->capture_default_str();
  app.add_option("--classifier", c.classifier,
                 "a classifier written by train_classifier, or VGG16 weights (safetensors, "
                 "torchvision names) with --class-map");
  app.add_option("--class-map", c.class_map,
                 "JSON: label -> ImageNet class indices (e.g. data/imagenet_fruit_classes.json), "
                 "for VGG16 weights");
  app.add_option("--device", c.device, "auto (cuda when available), cpu, cuda or cuda:N")
      ->capture_default_str();
  app.add_option("--batch", c.batch, "images per batch")->capture_default_str();
  app.add_option("--threads", c.threads, "image decoding threads (0: automatic)");
  double max_pixels = static_cast<double>(apps::kDefaultMaxPixels);
  app.add_option("--max-pixels", max_pixels, apps::kMaxPixelsHelp)
      ->check(CLI::Range(1.0, apps::kMaxPixelsFlagLimit));
  bool no_images = false;
  app.add_flag("--no-images", no_images, "do not write the colorized images");
  std::string model, head;
  double width = 0;
  auto* model_opt = app.add_option("--model", model, "seed or eccv16, for plain weights");
  auto* head_opt = app.add_option("--head", head, "classification or regression, for plain "
                                                  "weights");
  auto* width_opt = app.add_option("--width", width, "channel multiplier, for plain weights");
  CLI11_PARSE(app, argc, argv);
  c.save_images = !no_images;
  c.max_pixels = static_cast<int64_t>(max_pixels);
  if (model_opt->count()) c.spec.model = model;
  if (head_opt->count()) c.spec.head = head;
  if (width_opt->count()) c.spec.width = width;

  return apps::run_app("evaluate", [&] {
    c.split = apps::parse_split(split);
    const apps::EvaluationResult r = apps::evaluate_colorization(c);
    apps::write_evaluation(r, c);
    std::printf("evaluate: %s: %lld images, AuC %.2f%% (per image %.2f%%, rebalanced %.2f%%), "
                "mean ab error %.2f, chroma %.1f vs %.1f true",
                r.method.c_str(), static_cast<long long>(r.images), 100 * r.auc_pooled,
                100 * r.auc_per_image_mean, 100 * r.auc_rebalanced, r.mean_error, r.chroma_pred,
                r.chroma_true);
    if (r.classifier_accuracy)
      std::printf(", classifier accuracy %.1f%% of %lld", 100 * *r.classifier_accuracy,
                  static_cast<long long>(r.classifier_images));
    std::printf("; %.1f s; wrote %s/summary.json\n", r.seconds, c.out.c_str());
    if (r.skipped > 0)
      std::fprintf(stderr, "evaluate: %lld unreadable image(s) were skipped\n",
                   static_cast<long long>(r.skipped));
    return 0;
  });
}
