// The trainer behind apps/train_classifier, as a library so tests drive it directly: trains
// the small-vgg classifier (models/small_vgg.h) on an image folder whose labels are the
// images' parent folder names (label_from_path).
//
// What a run does:
// - the train, val and test splits of config.data (apps/support/dataset.h: train/ val/ test/
//   subfolders, or a seeded 60/20/20 split) at size x size; train augmented (resize-crop
//   jitter, flips), val and test centre-cropped; the classes are the training split's labels,
//   sorted; a val or test label the training split lacks is an error;
// - Adam (L2 weight decay as torch.optim.Adam) with a cosine decay over all steps, on
//   cross-entropy; each epoch's training batches drop the last partial one (batch norm);
// - after every epoch: val loss and accuracy (eval mode, no gradient), a row of
//   out/metrics.csv (epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,images_per_s),
//   out/last.safetensors, and out/best.safetensors when the val accuracy beats every earlier
//   epoch's (checkpoints written atomically, metadata: classifier_metadata plus epoch and val
//   accuracy);
// - at the end: best.safetensors loaded back through ImageClassifier::load and scored on the
//   test split, and out/summary.json (written atomically).
// A training or validation loss that becomes NaN or infinite (a diverged run: lower the lr)
// is a tint::Error at once; the checkpoints and metrics of earlier epochs stay, and nothing of
// the diverged model is written. Nothing is written before the inputs have been checked;
// errors are tint::Errors. The output folder must lie outside the data folder, and a folder
// that holds an earlier run (classifier_run_files) is refused unless config.overwrite, which
// removes its files first (output_guard.h); temporaries of saves that a killed run left there
// are removed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "framework/nn/module.h"
#include "output_guard.h"
#include "image_folder.h"

namespace tint::apps {

// The numbers must lie in the train_classifier flags' ranges (setting_limits.h).
struct ClassifierTrainConfig {
  std::string data;                  // image folder (required)
  std::string out = "runs/classifier";  // outside data; must not hold a run unless overwrite
  bool overwrite = false;               // replace the run in out (its files removed first)
  int size = 64;                     // input side, a multiple of 8
  int64_t batch = 32;
  int64_t epochs = 30;
  double lr = 3e-3;                  // peak lr, cosine-decayed to 0 over the run
  double weight_decay = 5e-4;
  double width = 1.0;                // small-vgg width multiplier
  uint64_t seed = 0;                 // initialisation, data order, augmentation, seeded split
  Device device = Device::cpu();
  int threads = 0;                   // image decoding threads (0: automatic)
  int64_t max_pixels = kDefaultMaxPixels;  // larger images are skipped before decoding
};

struct ClassifierEpoch {
  int64_t epoch = 0, step = 0;
  double train_loss = 0, train_accuracy = 0, val_loss = 0, val_accuracy = 0;
  double images_per_s = 0;
};

struct ClassifierTrainResult {
  std::vector<std::string> classes;
  std::vector<ClassifierEpoch> history;
  int64_t best_epoch = 0;
  double val_accuracy = 0;   // of the best epoch
  double test_accuracy = 0;  // of best.safetensors
  int64_t train_images = 0, val_images = 0, test_images = 0, parameters = 0;
  int64_t steps = 0;          // optimizer steps done
  bool interrupted = false;   // stopped by hooks.should_stop: last.safetensors saved, no test
  double seconds = 0;
};

struct ClassifierTrainHooks {
  std::function<void(const std::string&)> log;  // one line at a time; default: stdout
  bool progress = true;                         // draw a progress bar on stderr
  // Polled after every step: true stops the run there; it saves out/last.safetensors (the
  // model and Adam's state, with the epochs finished and the step in its metadata) and
  // returns with interrupted set, without the test or summary.json.
  std::function<bool()> should_stop;
  // Called after every optimizer step with the model: a place to inspect it, or to inject a
  // fault (the tests make its weights NaN to show that a diverged run stops).
  std::function<void(nn::Module&)> after_step;
};

// The files a run writes into its folder: metrics.csv, best and last safetensors, summary.json.
const RunFileNames& classifier_run_files();

ClassifierTrainResult train_classifier(const ClassifierTrainConfig& config,
                                       const ClassifierTrainHooks& hooks = {});

}  // namespace tint::apps
