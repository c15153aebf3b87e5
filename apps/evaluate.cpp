// evaluate: scores a colorizer checkpoint or a baseline (gray, random, truth) on one split of
// an image folder, as the report's Table 1 (raw-accuracy AuC of per-pixel ab errors, pooled
// and per image; Zhang's class-rebalanced AuC; mean chroma; with --classifier the accuracy of
// a classifier on the colorized images). The work is apps/support/evaluation.h, the flags
// apps/support/evaluate_flags.h.
//
//   evaluate --checkpoint runs/colorizer/best.safetensors --data datasets/fruits --out eval/c
//   evaluate --baseline gray --data datasets/fruits --size 64 --out eval/gray
//
// Writes OUT/summary.json, OUT/per_image.csv, OUT/cumulative.csv, OUT/cumulative.png and
// OUT/images/<id>.png (the colorized images; --no-images leaves them out).
//
// Exit status (the rule colorize and compute_prior follow too): 0 when every image of the
// split was scored. 1 when anything failed: a bad path, checkpoint or device stops the run
// before anything is written (one line naming it); images of the split that cannot be read
// are skipped with a warning each, the others are scored and the files written, and the run
// ends with status 1 and the count. A flag value out of its range stops the run before
// anything with CLI11's status 105.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "app_main.h"
#include "evaluate_flags.h"
#include "evaluation.h"

using namespace tint;

int main(int argc, char** argv) {
  apps::prefer_passive_openmp_waiting(argv);  // see app_main.h
  CLI::App app;
  apps::EvaluateFlags flags;
  apps::add_evaluate_flags(app, flags);
  CLI11_PARSE(app, argc, argv);

  return apps::run_app("evaluate", [&] {
    const apps::EvaluateConfig c = apps::evaluate_config(flags);
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
    if (r.skipped == 0) return 0;
    std::fprintf(stderr,
                 "evaluate: %lld of %lld image(s) could not be read and were skipped (the "
                 "scores are of the other %lld)\n",
                 static_cast<long long>(r.skipped), static_cast<long long>(r.skipped + r.images),
                 static_cast<long long>(r.images));
    return 1;
  });
}
