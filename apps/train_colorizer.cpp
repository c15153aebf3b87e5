// train_colorizer: trains a colorization network (the report's "seed" or Zhang's "eccv16")
// on an image folder: the command line around apps/support/trainer.h. With no arguments it
// trains on the bundled data/samples with settings sized to the machine (the cpu-small
// preset on a CPU, the report's recipe on a GPU; train_config.h). Ctrl-C or SIGTERM saves
// OUT/last.safetensors and exits with code 130 or 143; --resume continues from it. A folder
// that holds an earlier run is never replaced by surprise: an --out given is refused unless
// --resume or --overwrite says what to do with it; the default runs/colorizer gives way to
// runs/colorizer-2, -3, ... (printed). The flags are apps/support/train_colorizer_flags.h.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "app_main.h"
#include "framework/tint.h"
#include "output_guard.h"
#include "progress_bar.h"
#include "train_colorizer_flags.h"
#include "stop_signals.h"
#include "train_config.h"
#include "trainer.h"

using namespace tint;
namespace fs = std::filesystem;

namespace {

// "OUT/metrics.csv, last.safetensors and 3 grid PNGs grid_epoch001.png .. grid_epoch003.png
// (input grey | ground truth | colorization)": what a run wrote, grids as one item.
std::string written_files(const std::string& out, const std::vector<std::string>& names) {
  std::vector<std::string> items, grids;
  for (const std::string& name : names)
    (name.rfind("grid_epoch", 0) == 0 ? grids : items).push_back(name);
  if (grids.size() == 1)
    items.push_back(grids[0] + " (input grey | ground truth | colorization)");
  else if (!grids.empty())
    items.push_back(std::to_string(grids.size()) + " grid PNGs " + grids.front() + " .. " +
                    grids.back() + " (input grey | ground truth | colorization)");
  std::string text = out + "/";
  for (size_t i = 0; i < items.size(); ++i)
    text += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return text;
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
  if (!c.resume && given.count("--out") == 0) {
    // The default folder: never an earlier run's.
    const std::string fresh = apps::fresh_run_folder(c.out, apps::colorizer_run_files()).string();
    if (fresh != c.out)
      std::printf("output: %s (%s holds an earlier run; --out chooses the folder)\n",
                  fresh.c_str(), c.out.c_str());
    else
      std::printf("output: %s\n", fresh.c_str());
    c.out = fresh;
  } else {
    std::printf("output: %s\n", c.out.c_str());
  }
  std::fflush(stdout);

  apps::install_stop_signals();
  const apps::TrainResult r =
      apps::train_colorizer(c, {.should_stop = [](int64_t) { return apps::stop_requested(); }});
  const std::string out = c.out;
  if (r.interrupted && !r.saved_on_stop) {
    std::printf("stopped by %s before training started: nothing saved\n",
                apps::stop_signal_description());
    return apps::stop_exit_code();
  }
  if (r.interrupted) {
    std::printf(
        "stopped by %s at step %lld: saved %s/last.safetensors (continue with --out %s "
        "--resume)\n",
        apps::stop_signal_description(), static_cast<long long>(r.steps), out.c_str(),
        out.c_str());
    return apps::stop_exit_code();
  }
  if (r.history.empty()) return 0;
  const apps::EpochMetrics& m = r.history.back();
  std::printf(
      "done: %lld epochs, %lld steps in %s; final train loss %.4f, val loss %.4f "
      "(per pixel)\n",
      static_cast<long long>(r.epochs), static_cast<long long>(r.steps),
      apps::format_duration(r.seconds).c_str(), m.train_loss, m.val_loss);
  std::printf("val AuC %s vs the Gray baseline's %s (best %s); wrote %s\n",
              percent(m.val_auc).c_str(), percent(r.gray_auc).c_str(),
              percent(r.best_val_auc).c_str(), written_files(out, r.written).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  apps::prefer_passive_openmp_waiting(argv);  // see app_main.h
  CLI::App app;
  apps::TrainColorizerFlags flags;
  apps::add_train_colorizer_flags(app, flags);
  CLI11_PARSE(app, argc, argv);
  return apps::run_app("train_colorizer", [&] {
    return run(apps::train_config(flags), flags.preset, apps::given_flags(flags));
  });
}
