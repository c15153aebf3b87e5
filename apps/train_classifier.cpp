// train_classifier: trains the small-vgg image classifier (models/small_vgg.h) on an image
// folder whose labels are the images' parent folder names (datasets/fruits/train/banana/
// banana_0001.png is a "banana"), for scoring colorizations by classifier accuracy. The
// work is apps/support/classifier_trainer.h; this file is the command line and the report.
// Writes into --out: metrics.csv, best.safetensors, last.safetensors, summary.json.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "app_main.h"
#include "classifier_trainer.h"
#include "image_folder.h"

using namespace tint;

int main(int argc, char** argv) {
  apps::prefer_passive_openmp_waiting(argv);  // see app_main.h
  apps::ClassifierTrainConfig c;
  std::string device = "auto";
  CLI::App app{
      "Train the small-vgg image classifier on an image folder with train/ val/ test/ "
      "subfolders (or a flat folder, split 60/20/20 by --seed); an image's label is its parent "
      "folder's name. Writes metrics.csv, best.safetensors (best val accuracy), "
      "last.safetensors and summary.json (with the test accuracy of best.safetensors) into "
      "--out."};
  app.add_option("--data", c.data, "image folder (train/ val/ test/ of <label>/<image>)")
      ->required();
  app.add_option("--size", c.size, "input side in pixels, a multiple of 8")
      ->capture_default_str()
      ->check(CLI::Range(8, 1024));
  app.add_option("--batch", c.batch, "images per step")->capture_default_str()->check(CLI::Range(int64_t(2), int64_t(4096)));
  app.add_option("--epochs", c.epochs, "passes over the training split")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--lr", c.lr, "Adam's peak learning rate (cosine-decayed to 0)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--weight-decay", c.weight_decay, "L2 weight decay (as torch.optim.Adam)")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--width", c.width, "width multiplier (1: 32, 64, 128 channels)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", c.seed, "seed of initialisation, data order and augmentation")->capture_default_str();
  app.add_option("--device", device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--out", c.out, "output folder")->capture_default_str();
  app.add_option("--threads", c.threads, "image decoding threads (0: automatic)")->capture_default_str()->check(CLI::NonNegativeNumber);
  double max_pixels = static_cast<double>(apps::kDefaultMaxPixels);
  app.add_option("--max-pixels", max_pixels, apps::kMaxPixelsHelp)
      ->check(CLI::Range(1.0, apps::kMaxPixelsFlagLimit));
  CLI11_PARSE(app, argc, argv);
  c.max_pixels = static_cast<int64_t>(max_pixels);
  return apps::run_app("train_classifier", [&] {
    if (c.size % 8 != 0) {
      std::fprintf(stderr, "train_classifier: --size %d is not a multiple of 8\n", c.size);
      return 2;
    }
    c.device = apps::pick_device(device);
    const apps::ClassifierTrainResult r = apps::train_classifier(c);
    std::printf(
        "best epoch %lld: val accuracy %.1f%%; test accuracy of best.safetensors %.1f%% "
        "(%lld classes, chance %.1f%%) in %.0f s\n",
        static_cast<long long>(r.best_epoch), 100 * r.val_accuracy, 100 * r.test_accuracy,
        static_cast<long long>(r.classes.size()), 100.0 / static_cast<double>(r.classes.size()),
        r.seconds);
    std::printf("wrote %s/metrics.csv, best.safetensors, last.safetensors, summary.json\n",
                c.out.c_str());
    return 0;
  });
}
