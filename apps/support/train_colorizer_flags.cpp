// train_colorizer's flags (train_colorizer_flags.h).
#include "train_colorizer_flags.h"

#include <cstdio>

#include "flag_checks.h"
#include "setting_limits.h"

namespace tint::apps {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

void add_train_colorizer_flags(CLI::App& app, TrainColorizerFlags& f) {
  const TrainConfig report = preset_config("report");
  const TrainConfig small = preset_config("cpu-small");
  app.description(
      "Train a colorization network (Zhang et al. 2016, as the course report) on a folder of "
      "images. Without arguments: trains on data/samples with the settings of --preset auto, "
      "i.e. on a CPU the cpu-small preset (seed x" +
      num(small.width) + ", " + num(small.size) + "x" + num(small.size) + ", Adam lr " +
      num(small.lr) + " instead of the report's " + num(report.lr) +
      ", which barely moves in a short CPU run), on a "
      "GPU the report's recipe (defaults shown below). Flags you give always win over the "
      "preset. Writes OUT/metrics.csv, last.safetensors (every --save-every epochs and at the "
      "end; Ctrl-C or SIGTERM saves it and exits with 130 or 143), best.safetensors (best val AuC; not with "
      "--no-best), prior.safetensors (class-rebal loss) and "
      "grid_epochNNN.png (input grey | ground truth | colorization; annealed mean, then "
      "bilinear x4; not with --grid-images 0).");
  TrainConfig& c = f.config;
  const auto add = [&](CLI::Option* o) {
    f.options[o->get_name()] = o;
    return o;
  };
  const auto cpu_note = [](const std::string& text) { return " (cpu-small preset: " + text + ")"; };
  add(app.add_option("--preset", f.preset,
                     "auto (cpu-small on a CPU, report on a GPU), report, or cpu-small: the "
                     "settings of the flags you leave out")
          ->capture_default_str()
          ->check(CLI::IsMember({"auto", "report", "cpu-small"})));
  add(app.add_option("--model", c.model, "network: seed (the report's) or eccv16 (Zhang's)")
          ->capture_default_str()
          ->check(CLI::IsMember({"seed", "eccv16"})));
  add(app.add_option("--loss", f.loss,
                     "class-rebal (class-rebalanced cross-entropy, eq. 2), class (unweighted), or "
                     "l2 (regression, eq. 1)")
          ->capture_default_str()
          ->check(CLI::IsMember({"class-rebal", "class", "l2"})));
  add(app.add_option("--data", c.data,
                     "image folder: train/ val/ test/ subfolders, or images split 60/20/20 by "
                     "--seed")
          ->capture_default_str());
  add(app.add_option("--size", c.size,
                     "images are resized and cropped to N x N" + cpu_note(num(small.size)))
          ->capture_default_str()
          ->transform(flags::whole_number(limits::kImageSize)));
  add(app.add_option("--batch", c.batch,
                     "images per step" + cpu_note(num(static_cast<double>(small.batch))))
          ->capture_default_str()
          ->transform(flags::whole_number(limits::kBatch)));
  add(app.add_option(
             "--epochs", c.epochs,
             "passes over the training split" + cpu_note(num(static_cast<double>(small.epochs))))
          ->capture_default_str()
          ->transform(flags::whole_number(limits::kEpochs)));
  add(app.add_option("--iters", c.iters, "optimizer steps in all; replaces --epochs when given")
          ->transform(flags::whole_number(limits::kIters)));
  add(app.add_option("--lr", c.lr,
                     "Adam learning rate (betas 0.9, 0.999)" + cpu_note(num(small.lr)))
          ->capture_default_str()
          ->transform(flags::real_number(limits::kLearningRate)));
  add(app.add_option("--lr-schedule", f.schedule,
                     "constant (the report) or cosine (decays to 0 at the last step)" +
                         cpu_note(small.cosine ? "cosine" : "constant"))
          ->capture_default_str()
          ->check(CLI::IsMember({"constant", "cosine"})));
  add(app.add_option("--weight-decay", c.weight_decay, "Adam L2 weight decay, as the report")
          ->capture_default_str()
          ->transform(flags::real_number(limits::kWeightDecay)));
  add(app.add_option("--lambda", c.lambda,
                     "weight of the uniform distribution in the rebalancing prior (Zhang eq. 4)")
          ->capture_default_str()
          ->transform(flags::real_number(limits::kLambda)));
  add(app.add_option("--temperature", c.temperature,
                     "annealed-mean temperature for decoding (towards 0 the most likely colour, "
                     "1 the mean)")
          ->capture_default_str()
          ->transform(flags::real_number(limits::kTemperature)));
  add(app.add_option("--width", c.width,
                     "channel multiplier of the network" + cpu_note(num(small.width)))
          ->capture_default_str()
          ->transform(flags::real_number(limits::kColorizerWidth)));
  add(app.add_option("--target-resolution", f.resolution,
                     "where the loss is computed: full (the report: the ab's resolution) or "
                     "subsampled (Zhang: the output's H/4 grid)" +
                         cpu_note("subsampled"))
          ->capture_default_str()
          ->check(CLI::IsMember({"full", "subsampled"})));
  add(app.add_option("--device", c.device, "auto, cpu, cuda or cuda:N")->capture_default_str());
  add(app.add_option("--seed", c.seed,
                     "seed of initialisation, dropout, split, shuffling and augmentation")
          ->capture_default_str()
          ->transform(flags::seed_number()));
  add(app.add_option("--out", c.out,
                     "output folder, outside --data; one that holds an earlier run needs "
                     "--resume or --overwrite (left out: runs/colorizer, or runs/colorizer-2, "
                     "-3, ... when that holds a run)")
          ->capture_default_str());
  add(app.add_flag("--resume", c.resume,
                   "continue from OUT/last.safetensors with its settings (flags you give must "
                   "not contradict it)"));
  add(app.add_flag("--overwrite", c.overwrite,
                   "replace the earlier run in --out: its metrics.csv, checkpoints, prior and "
                   "grids are removed first"));
  add(app.add_option("--prior", c.prior,
                     "class-rebalancing prior (safetensors, from compute_prior or an earlier "
                     "run); default: computed from the training split at --size"));
  add(app.add_option("--report-every", c.report_every,
                     "epochs between summary lines and grid PNGs (the last epoch always)" +
                         cpu_note(num(static_cast<double>(small.report_every))))
          ->capture_default_str()
          ->transform(flags::whole_number(limits::kEveryEpochs)));
  add(app.add_option("--save-every", c.save_every,
                     "epochs between writes of OUT/last.safetensors (the last epoch and a "
                     "Ctrl-C or SIGTERM always write it; a seed-model checkpoint with Adam's state is "
                     "~300 MB)")
          ->capture_default_str()
          ->transform(flags::whole_number(limits::kEveryEpochs)));
  add(app.add_flag("--no-best", f.no_best, "do not write OUT/best.safetensors"));
  add(app.add_option("--grid-images", c.grid_images,
                     "validation images in each grid PNG (0: no grid PNGs)")
          ->capture_default_str()
          ->transform(flags::whole_number(limits::kGridImages)));
  add(app.add_option("--threads", c.threads, "image decoding threads (0: automatic)")
          ->capture_default_str()
          ->transform(flags::whole_number(limits::kDecodeThreads)));
  add(flags::add_max_pixels_flag(app, c.max_pixels));
  add(app.add_option("--precision", c.precision,
                     "fp32, or bf16: bfloat16 mixed precision (convolutions in bfloat16 with "
                     "float32 master weights; faster on a GPU with tensor cores, through "
                     "float32 and slower on a CPU)")
          ->capture_default_str()
          ->check(CLI::IsMember({"fp32", "bf16"})));
  add(app.add_flag("--channels-last", c.channels_last,
                   "convolutions in the channels_last (NHWC) layout: cuDNN's tensor-core layout "
                   "on a GPU; the same results"));
  add(app.add_flag("--cuda-graph", c.cuda_graph,
                   "GPU only: capture each training step once into a CUDA graph and replay it "
                   "(the host's per-op work paid once); every epoch then drops its last, "
                   "smaller batch"));
  add(app.add_flag("--no-augment", f.no_augment,
                   "no resize-crop jitter or flips on the training images"));
  flags::one_line_errors(app, "train_colorizer");
}

std::set<std::string> given_flags(const TrainColorizerFlags& f) {
  std::set<std::string> given;
  for (const auto& [name, option] : f.options)
    if (option->count() > 0) given.insert(name);
  return given;
}

TrainConfig train_config(const TrainColorizerFlags& f) {
  TrainConfig c = f.config;
  c.loss = parse_color_loss(f.loss);
  c.target_resolution = parse_target_resolution(f.resolution);
  c.augment = !f.no_augment;
  c.save_best = !f.no_best;
  c.cosine = f.schedule == "cosine";
  return c;
}

}  // namespace tint::apps
