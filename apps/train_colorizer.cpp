// train_colorizer: trains a colorization network (the report's "seed" or Zhang's "eccv16")
// on an image folder: the command line around apps/support/trainer.h. With no arguments it
// trains on the bundled data/samples with settings sized to the machine (the cpu-small
// preset on a CPU, the report's recipe on a GPU; train_config.h). Ctrl-C saves
// OUT/last.safetensors and exits with code 130; --resume continues from it.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "app_main.h"
#include "framework/tint.h"
#include "image_folder.h"
#include "progress_bar.h"
#include "train_config.h"
#include "trainer.h"

using namespace tint;
namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t interrupted = 0;
// The first Ctrl-C asks the trainer to stop after the current step and save; a second one
// ends the process at once, without saving.
void on_sigint(int) {
  if (interrupted) std::_Exit(130);
  interrupted = 1;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * v);
  return buf;
}

int run(apps::TrainConfig c, const std::string& preset, const std::set<std::string>& given) {
  const Device device = apps::pick_device(c.device);
  const std::string resolved = apps::apply_preset(c, preset, device.is_cpu(), given);
  if (c.resume) {
    const std::string last = (fs::path(c.out) / "last.safetensors").string();
    TINT_CHECK(fs::exists(last), "--resume: there is no checkpoint ", last,
               " to continue from; run without --resume first");
    apps::adopt_checkpoint_settings(c, read_checkpoint(last).extra, last, given);
  }
  std::printf("train_colorizer: %s\n", apps::describe(c).c_str());
  if (c.resume) {
    std::printf("settings: the checkpoint's, except the flags you gave\n");
  } else if (resolved == "cpu-small") {
    std::printf(
        "preset cpu-small (%s): the report's recipe scaled down to minutes on a CPU: %s "
        "(the report's lr barely moves a network in a short CPU run); flags you give "
        "win; --preset report for the report's recipe\n",
        preset == "auto" ? "no GPU found" : "asked for", apps::preset_changes(c, given).c_str());
  } else {
    std::printf("preset report: the course report's recipe; flags you give win\n");
  }
  std::printf("output: %s\n", c.out.c_str());
  std::fflush(stdout);

  std::signal(SIGINT, on_sigint);
  const apps::TrainResult r =
      apps::train_colorizer(c, {.should_stop = [](int64_t) { return interrupted != 0; }});
  const std::string out = c.out;
  if (r.interrupted && !r.saved_on_stop) {
    std::printf("interrupted before training started: nothing saved\n");
    return 130;
  }
  if (r.interrupted) {
    std::printf(
        "interrupted at step %lld: saved %s/last.safetensors (continue with --out %s "
        "--resume)\n",
        static_cast<long long>(r.steps), out.c_str(), out.c_str());
    return 130;
  }
  if (r.history.empty()) return 0;
  const apps::EpochMetrics& m = r.history.back();
  std::printf(
      "done: %lld epochs, %lld steps in %s; final train loss %.4f, val loss %.4f "
      "(per pixel)\n",
      static_cast<long long>(r.epochs), static_cast<long long>(r.steps),
      apps::format_duration(r.seconds).c_str(), m.train_loss, m.val_loss);
  std::printf(
      "val AuC %s vs the Gray baseline's %s (best %s); wrote %s/metrics.csv, "
      "last.safetensors, best.safetensors, prior.safetensors and grid_epochNNN.png "
      "(input grey | ground truth | colorization)\n",
      percent(m.val_auc).c_str(), percent(r.gray_auc).c_str(), percent(r.best_val_auc).c_str(),
      out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  apps::prefer_passive_openmp_waiting(argv);  // see app_main.h
  const apps::TrainConfig report = apps::preset_config("report");
  const apps::TrainConfig small = apps::preset_config("cpu-small");
  CLI::App app{
      "Train a colorization network (Zhang et al. 2016, as the course report) on a folder of "
      "images. Without arguments: trains on data/samples with the settings of --preset auto, "
      "i.e. on a CPU the cpu-small preset (seed x" +
      num(small.width) + ", " + num(small.size) + "x" + num(small.size) + ", Adam lr " +
      num(small.lr) + " instead of the report's " + num(report.lr) +
      ", which barely moves in a short CPU run), on a "
      "GPU the report's recipe (defaults shown below). Flags you give always win over the "
      "preset. Writes OUT/metrics.csv, last.safetensors (every --save-every epochs and at the "
      "end; Ctrl-C saves it and exits with 130), best.safetensors (best val AuC; not with "
      "--no-best), prior.safetensors and "
      "grid_epochNNN.png (input grey | ground truth | colorization; annealed mean, then "
      "bilinear x4)."};
  apps::TrainConfig c;
  std::string preset = "auto", loss = "class-rebal", resolution = "full", schedule = "constant";
  bool no_augment = false, no_best = false;
  std::map<std::string, CLI::Option*> options;
  const auto add = [&](CLI::Option* o) {
    options[o->get_name()] = o;
    return o;
  };
  const auto cpu_note = [](const std::string& text) { return " (cpu-small preset: " + text + ")"; };
  add(app.add_option("--preset", preset,
                     "auto (cpu-small on a CPU, report on a GPU), report, or cpu-small: the "
                     "settings of the flags you leave out")
          ->capture_default_str()
          ->check(CLI::IsMember({"auto", "report", "cpu-small"})));
  add(app.add_option("--model", c.model, "network: seed (the report's) or eccv16 (Zhang's)")
          ->capture_default_str()
          ->check(CLI::IsMember({"seed", "eccv16"})));
  add(app.add_option("--loss", loss,
                     "class-rebal (class-rebalanced cross-entropy, eq. 2), class (unweighted), or "
                     "l2 (regression, eq. 1)")
          ->capture_default_str()
          ->check(CLI::IsMember({"class-rebal", "class", "l2"})));
  add(app.add_option("--data", c.data,
                     "image folder: train/ val/ test/ subfolders, or images split 60/20/20 by "
                     "--seed")
          ->capture_default_str());
  add(app.add_option("--size", c.size,
                     "images are resized and cropped to N x N (a multiple of 8)" +
                         cpu_note(num(small.size)))
          ->capture_default_str()
          ->check(CLI::Range(8, 4096)));
  add(app.add_option("--batch", c.batch,
                     "images per step" + cpu_note(num(static_cast<double>(small.batch))))
          ->capture_default_str()
          ->check(CLI::Range(int64_t(1), int64_t(1) << 20)));
  add(app.add_option(
             "--epochs", c.epochs,
             "passes over the training split" + cpu_note(num(static_cast<double>(small.epochs))))
          ->capture_default_str()
          ->check(CLI::Range(int64_t(1), int64_t(1) << 40)));
  add(app.add_option("--iters", c.iters, "optimizer steps in all; replaces --epochs when given")
          ->check(CLI::Range(int64_t(1), int64_t(1) << 40)));
  add(app.add_option("--lr", c.lr,
                     "Adam learning rate (betas 0.9, 0.999)" + cpu_note(num(small.lr)))
          ->capture_default_str()
          ->check(CLI::PositiveNumber));
  add(app.add_option("--lr-schedule", schedule,
                     "constant (the report) or cosine (decays to 0 at the last step)" +
                         cpu_note(small.cosine ? "cosine" : "constant"))
          ->capture_default_str()
          ->check(CLI::IsMember({"constant", "cosine"})));
  add(app.add_option("--weight-decay", c.weight_decay, "Adam L2 weight decay, as the report")
          ->capture_default_str()
          ->check(CLI::NonNegativeNumber));
  add(app.add_option("--lambda", c.lambda,
                     "weight of the uniform distribution in the rebalancing prior (Zhang eq. 4)")
          ->capture_default_str()
          ->check(CLI::Range(0.0, 1.0)));
  add(app.add_option("--temperature", c.temperature, "annealed-mean temperature for decoding")
          ->capture_default_str()
          ->check(CLI::PositiveNumber));
  add(app.add_option("--width", c.width,
                     "channel multiplier of the network" + cpu_note(num(small.width)))
          ->capture_default_str()
          ->check(CLI::PositiveNumber));
  add(app.add_option("--target-resolution", resolution,
                     "where the loss is computed: full (the report: the ab's resolution) or "
                     "subsampled (Zhang: the output's H/4 grid)" +
                         cpu_note("subsampled"))
          ->capture_default_str()
          ->check(CLI::IsMember({"full", "subsampled"})));
  add(app.add_option("--device", c.device, "auto, cpu, cuda or cuda:N")->capture_default_str());
  add(app.add_option("--seed", c.seed,
                     "seed of initialisation, dropout, split, shuffling and augmentation")
          ->capture_default_str());
  add(app.add_option("--out", c.out, "output folder")->capture_default_str());
  add(app.add_flag("--resume", c.resume,
                   "continue from OUT/last.safetensors with its settings (flags you give must "
                   "not contradict it)"));
  add(app.add_option("--prior", c.prior,
                     "class-rebalancing prior (safetensors, from compute_prior or an earlier "
                     "run); default: computed from the training split at --size"));
  add(app.add_option("--report-every", c.report_every,
                     "epochs between summary lines and grid PNGs (the last epoch always)" +
                         cpu_note(num(static_cast<double>(small.report_every))))
          ->capture_default_str()
          ->check(CLI::Range(int64_t(1), int64_t(1) << 40)));
  add(app.add_option("--save-every", c.save_every,
                     "epochs between writes of OUT/last.safetensors (the last epoch and a "
                     "Ctrl-C always write it; a seed-model checkpoint with Adam's state is "
                     "~300 MB)")
          ->capture_default_str()
          ->check(CLI::Range(int64_t(1), int64_t(1) << 40)));
  add(app.add_flag("--no-best", no_best, "do not write OUT/best.safetensors"));
  add(app.add_option("--grid-images", c.grid_images, "validation images in each grid PNG")
          ->capture_default_str()
          ->check(CLI::Range(0, 256)));
  add(app.add_option("--threads", c.threads, "image decoding threads (0: automatic)")
          ->capture_default_str()
          ->check(CLI::Range(0, 256)));
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
  add(app.add_flag("--no-augment", no_augment,
                   "no resize-crop jitter or flips on the training images"));
  double max_pixels = static_cast<double>(apps::kDefaultMaxPixels);
  app.add_option("--max-pixels", max_pixels, apps::kMaxPixelsHelp)
      ->check(CLI::Range(1.0, apps::kMaxPixelsFlagLimit));
  CLI11_PARSE(app, argc, argv);
  std::set<std::string> given;
  for (const auto& [name, option] : options)
    if (option->count() > 0) given.insert(name);
  return apps::run_app("train_colorizer", [&] {
    c.loss = apps::parse_color_loss(loss);
    c.target_resolution = apps::parse_target_resolution(resolution);
    c.augment = !no_augment;
    c.save_best = !no_best;
    c.max_pixels = static_cast<int64_t>(max_pixels);
    c.cosine = schedule == "cosine";
    return run(c, preset, given);
  });
}
