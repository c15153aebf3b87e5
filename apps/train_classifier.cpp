// train_classifier: trains the small-vgg image classifier (models/small_vgg.h) on an image
// folder whose labels are the images' parent folder names (datasets/fruits/train/banana/
// banana_0001.png is a "banana"), for scoring colorizations by classifier accuracy. The
// work is apps/support/classifier_trainer.h; this file is the command line and the report.
// Writes into --out: metrics.csv, best.safetensors, last.safetensors, summary.json. A folder
// that holds an earlier run is never replaced by surprise: an --out given is refused unless
// --overwrite; the default runs/classifier gives way to runs/classifier-2, -3, ... (printed).
// Ctrl-C or SIGTERM saves last.safetensors after the current step and exits with 130 or 143.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "app_main.h"
#include "classifier_trainer.h"
#include "flag_checks.h"
#include "setting_limits.h"
#include "output_guard.h"
#include "stop_signals.h"

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
  app.add_option("--size", c.size, "input side in pixels")
      ->capture_default_str()
      ->transform(apps::flags::whole_number(apps::limits::kClassifierSize));
  app.add_option("--batch", c.batch, "images per step (batch norm needs 2)")
      ->capture_default_str()
      ->transform(apps::flags::whole_number(apps::limits::kClassifierBatch));
  app.add_option("--epochs", c.epochs, "passes over the training split")
      ->capture_default_str()
      ->transform(apps::flags::whole_number(apps::limits::kEpochs));
  app.add_option("--lr", c.lr, "Adam's peak learning rate (cosine-decayed to 0)")
      ->capture_default_str()
      ->transform(apps::flags::real_number(apps::limits::kLearningRate));
  app.add_option("--weight-decay", c.weight_decay, "L2 weight decay (as torch.optim.Adam)")
      ->capture_default_str()
      ->transform(apps::flags::real_number(apps::limits::kWeightDecay));
  app.add_option("--width", c.width, "width multiplier (1: 32, 64, 128 channels)")
      ->capture_default_str()
      ->transform(apps::flags::real_number(apps::limits::kClassifierWidth));
  app.add_option("--seed", c.seed, "seed of initialisation, data order and augmentation")
      ->capture_default_str()
      ->transform(apps::flags::seed_number());
  app.add_option("--device", device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  auto* out_opt = app.add_option("--out", c.out,
                                 "output folder, outside --data; one that holds an earlier run "
                                 "needs --overwrite (left out: runs/classifier, or "
                                 "runs/classifier-2, -3, ... when that holds a run)")
                      ->capture_default_str();
  app.add_flag("--overwrite", c.overwrite,
               "replace the earlier run in --out (its metrics.csv, checkpoints and summary are "
               "removed first)");
  app.add_option("--threads", c.threads, "image decoding threads (0: automatic)")
      ->capture_default_str()
      ->transform(apps::flags::whole_number(apps::limits::kDecodeThreads));
  apps::flags::add_max_pixels_flag(app, c.max_pixels);
  apps::flags::one_line_errors(app, "train_classifier");
  CLI11_PARSE(app, argc, argv);
  return apps::run_app("train_classifier", [&] {
    c.device = apps::pick_device(device);
    if (out_opt->count() == 0) {  // the default folder: never an earlier run's
      const std::string fresh =
          apps::fresh_run_folder(c.out, apps::classifier_run_files()).string();
      if (fresh != c.out)
        std::printf("output: %s (%s holds an earlier run; --out chooses the folder)\n",
                    fresh.c_str(), c.out.c_str());
      c.out = fresh;
    }
    apps::install_stop_signals();
    const apps::ClassifierTrainResult r =
        apps::train_classifier(c, {.should_stop = [] { return apps::stop_requested(); }});
    if (r.interrupted) {
      std::printf("stopped by %s at step %lld: saved %s/last.safetensors\n",
                  apps::stop_signal_description(), static_cast<long long>(r.steps),
                  c.out.c_str());
      return apps::stop_exit_code();
    }
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
