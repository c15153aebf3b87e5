// colorize: colorizes images with a trained network. For each input image the network sees
// the image's L at its input size (--size, default 176), predicts ab at a quarter of that,
// and the ab, upsampled bilinearly to the image's own size, is joined to the image's own
// full-resolution L; the result is written as a PNG into --out (same stem, .png). Grey and
// colour inputs alike (only the lightness is used). The work is apps/support/colorize_image.h
// (colorize_files); the flags are apps/support/colorize_flags.h.
//
//   colorize --checkpoint runs/colorizer/best.safetensors --out colorized photo.jpg dir/
//
// Inputs are image files or folders (searched recursively; the folder's tree is mirrored
// under --out). Exit status: 0 when every image was written. 1 when anything failed: a
// missing input path, a folder without images, a missing or bad checkpoint, an unavailable
// device stop the run before any image is done (one line naming the path); a file that does
// not decode stops the run when it is the only image, and among several it is skipped with a
// warning naming it, the others are done, and the run ends with status 1 and the count (the
// rule evaluate and compute_prior follow too). A flag value out of its range stops the run
// before anything with CLI11's status 105.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "app_main.h"
#include "colorize_flags.h"
#include "colorize_image.h"

using namespace tint;

int main(int argc, char** argv) {
  CLI::App app;
  apps::ColorizeFlags flags;
  apps::add_colorize_flags(app, flags);
  CLI11_PARSE(app, argc, argv);
  return apps::run_app("colorize", [&] {
    const apps::ColorizeRun run = apps::colorize_run(flags);
    const apps::ColorizeResult result = apps::colorize_files(run);
    std::printf("colorize: wrote %zu image(s) to %s%s\n", result.written.size(), run.out.c_str(),
                run.compare ? " (each with a _compare.png panel)" : "");
    if (result.skipped.empty()) return 0;
    std::fprintf(stderr, "colorize: %zu of %zu image(s) could not be read and were skipped\n",
                 result.skipped.size(), result.skipped.size() + result.written.size());
    return 1;
  });
}
