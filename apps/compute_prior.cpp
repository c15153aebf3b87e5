// compute_prior: the class-rebalancing prior of a folder of images (Zhang et al. eq. 3-4).
// Decodes every image under --data (recursively), converts it to Lab, counts each pixel's
// nearest ab bin, smooths the histogram and derives the weights (kernels/prior.h), then
// writes the prior as safetensors and a PNG of it on the ab plane. With --size every image is
// first resized to N x N, which makes each image weigh the same (as in training); without it
// large photos count in proportion to their pixels. --out and --plot are refused when they
// name one of the input images (by any name: symlinks and hard links too), and the plot when
// it lies inside --data.
//
// Exit status (the rule colorize and evaluate follow too): 0 when every image was counted. 1
// when anything failed: a bad path or device stops the run before anything is written (one
// line naming it); unreadable files are skipped with a warning each, the prior of the others
// is written, and the run ends with status 1 and the count. A flag value out of its range
// stops the run before anything with CLI11's status 105.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>

#include "ab_plot.h"
#include "app_main.h"
#include "flag_checks.h"
#include "framework/tint.h"
#include "image_folder.h"
#include "kernels/lab.h"
#include "kernels/prior.h"
#include "output_guard.h"
#include "progress_bar.h"
#include "setting_limits.h"

using namespace tint;
namespace fs = std::filesystem;

namespace {

struct Config {
  std::string data, out = "prior.safetensors", plot, device = "auto";
  double lambda = 0.5, sigma = 5.0;
  std::optional<int> size;  // not set: full resolution
  bool no_plot = false;
  int top = 10;
  int64_t max_pixels = apps::kDefaultMaxPixels;
};

// Fails before hours of work when an output cannot be written: creates the folder and checks
// that it is writable and that the path is not a folder itself.
void check_output(const std::string& path, const char* flag) {
  TINT_CHECK(!path.empty(), flag, " is empty; give a file path");
  const fs::path parent =
      fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  TINT_CHECK(fs::is_directory(parent), "cannot write ", flag, " ", path, ": its folder ",
             parent.string(), " cannot be created", ec ? " (" + ec.message() + ")" : "");
  TINT_CHECK(!fs::is_directory(path), "cannot write ", flag, " ", path, ": it is a folder");
  TINT_CHECK(::access(parent.c_str(), W_OK) == 0, "cannot write ", flag, " ", path, ": its folder ",
             parent.string(), " is not writable");
}

int run(const Config& c) {
  const bool tty = isatty(fileno(stderr)) != 0;
  apps::ImageFolder folder(c.data, [tty](const std::string& line) {
    std::fprintf(stderr, "%swarning: %s\n", tty ? "\r\033[K" : "", line.c_str());
  });
  folder.set_max_pixels(c.max_pixels);
  // Outputs never destroy inputs: not an input image by any name, and the plot (a PNG) not
  // where the next run over --data would read it as a photo.
  apps::check_output_not_an_input(c.out, "--out", folder.files());
  if (!c.no_plot) {
    apps::check_output_not_an_input(c.plot, "--plot", folder.files());
    TINT_CHECK(!apps::path_is_within(c.plot, c.data), "--plot ", c.plot, " is inside --data ",
               c.data, ": the next run over that folder would read the plot as a photo; give "
               "--plot a path outside it, or --no-plot");
  }
  check_output(c.out, "--out");
  if (!c.no_plot) {
    check_output(c.plot, "--plot");
    TINT_CHECK(fs::weakly_canonical(c.plot) != fs::weakly_canonical(c.out),
               "--plot and --out are the same file, ", c.out, "; give the plot another name");
  }
  // Temporaries that a killed run left beside the outputs.
  for (const std::string& output : {c.out, c.plot}) {
    const fs::path target(output);
    remove_stale_temporaries(target.parent_path().empty() ? fs::path(".") : target.parent_path(),
                             [&](const std::string& name) { return name == target.filename(); });
  }
  const Device device = apps::pick_device(c.device);
  const std::string resolution =
      c.size ? "resized to " + std::to_string(*c.size) + "x" + std::to_string(*c.size)
             : "full resolution";
  std::printf("compute_prior: %zu image files under %s, %s, on %s\n", folder.size(), c.data.c_str(),
              resolution.c_str(), device.str().c_str());
  std::fflush(stdout);

  const auto start = std::chrono::steady_clock::now();
  Tensor counts = color::empty_ab_histogram(device);
  int64_t images = 0, pixels = 0;
  apps::ProgressBar bar(static_cast<int64_t>(folder.size()), "prior", "img");
  for (size_t i = 0; i < folder.size(); ++i) {
    std::optional<apps::RgbImage> image = folder.load(i);
    if (image) {
      try {
        if (c.size) image = apps::resize_area(*image, *c.size, *c.size);
        const Tensor rgb = from_buffer(image->pixels.data(), {image->height, image->width, 3},
                                       DType::UInt8, device);
        const Tensor lab = color::rgb8_to_lab(rgb);
        color::accumulate_ab_histogram(counts, lab.slice(1, 1, 3));
      } catch (const std::bad_alloc&) {
        TINT_FAIL("counting the colours of ", folder.files()[i].string(), " (", image->width,
                  " x ", image->height, " pixels) failed: out of memory (lower --max-pixels to "
                  "skip such images, or give --size)");
      } catch (const Error& e) {
        TINT_FAIL("counting the colours of ", folder.files()[i].string(), " (", image->width,
                  " x ", image->height, " pixels) failed: ", apps::user_message(e.what()));
      }
      ++images;
      pixels += int64_t(image->width) * image->height;
    }
    bar.update(static_cast<int64_t>(i + 1), {{"Mpx", pixels / 1e6}});
  }
  bar.finish();
  TINT_CHECK(images > 0, "no image under ", c.data, " could be read (", folder.skipped(),
             " files skipped)");

  color::ColorPrior prior = color::prior_from_counts(counts.cpu(), c.lambda, c.sigma);
  prior.images = images;
  color::save_prior(c.out, prior);
  if (!c.no_plot)
    apps::write_png(c.plot, apps::plot_ab_prior(prior.probabilities,
                                                "prior of " + std::to_string(images) + " images, " +
                                                    fs::path(c.data).filename().string()));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Summary.
  const std::vector<double> n = prior.counts.to_vector<double>(),
                            p = prior.probabilities.to_vector<double>();
  const std::vector<float> w = prior.weights.to_vector<float>();
  int64_t used = 0;
  for (double v : n) used += v > 0;
  std::printf("images %lld (skipped %lld), pixels %lld, %.1f s (%.1f img/s)\n",
              static_cast<long long>(images), static_cast<long long>(folder.skipped()),
              static_cast<long long>(prior.pixels), seconds, images / std::max(seconds, 1e-9));
  std::printf("bins with pixels: %lld of %lld; lambda %g, sigma %g; weights from %.4g to %.4g\n",
              static_cast<long long>(used), static_cast<long long>(color::kNumBins), c.lambda,
              c.sigma, *std::min_element(w.begin(), w.end()),
              *std::max_element(w.begin(), w.end()));
  std::vector<int64_t> order(color::kNumBins);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return n[x] > n[y]; });
  const color::AbBins& bins = color::AbBins::standard();
  std::printf("most frequent bins:\n   bin      a      b   pixels %%   smoothed p   weight\n");
  for (int k = 0; k < std::min<int>(c.top, color::kNumBins) && n[order[k]] > 0; ++k) {
    const int64_t q = order[k];
    std::printf("  %4lld %6.0f %6.0f   %8.3f   %10.5f %8.4f\n", static_cast<long long>(q),
                bins.a(q), bins.b(q), 100.0 * n[q] / prior.pixels, p[q], w[q]);
  }
  std::printf("wrote %s%s%s\n", c.out.c_str(), c.no_plot ? "" : " and ",
              c.no_plot ? "" : c.plot.c_str());
  if (folder.skipped() == 0) return 0;
  std::fprintf(stderr,
               "compute_prior: %lld of %lld image file(s) could not be read and were skipped "
               "(the prior is of the other %lld)\n",
               static_cast<long long>(folder.skipped()),
               static_cast<long long>(folder.skipped() + images), static_cast<long long>(images));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Compute the class-rebalancing prior (Zhang et al. eq. 3-4) of a folder of images: the "
      "smoothed distribution of the 313 ab bins and the weights. Unreadable files are "
      "skipped with a warning each; the prior of the others is written and the run ends with "
      "status 1 and the count."};
  Config c;
  app.add_option("--data", c.data,
                 "folder of images (.jpg .jpeg .png .bmp .tga, searched recursively)")
      ->required();
  app.add_option("--out", c.out, "the prior (safetensors)")->capture_default_str();
  app.add_option("--plot", c.plot, "PNG of the prior on the ab plane (default: --out with .png)");
  app.add_flag("--no-plot", c.no_plot, "do not write the PNG");
  app.add_option("--lambda", c.lambda, "weight of the uniform distribution in the mix")
      ->capture_default_str()
      ->transform(apps::flags::real_number(apps::limits::kLambda));
  app.add_option("--sigma", c.sigma, "Gaussian smoothing sigma in ab units (0: none)")
      ->capture_default_str()
      ->transform(apps::flags::real_number(apps::limits::kPriorSigma));
  int size = 0;
  CLI::Option* size_option =
      app.add_option("--size", size, "resize every image to N x N first (default: full "
                                     "resolution)")
          ->transform(apps::flags::whole_number(apps::limits::kPriorSize));
  app.add_option("--device", c.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  apps::flags::add_max_pixels_flag(app, c.max_pixels);
  app.add_option("--top", c.top, "most frequent bins to list")
      ->capture_default_str()
      ->transform(apps::flags::whole_number({0, color::kNumBins}));
  apps::flags::one_line_errors(app, "compute_prior");
  CLI11_PARSE(app, argc, argv);
  if (size_option->count()) c.size = size;
  if (c.plot.empty()) c.plot = fs::path(c.out).replace_extension(".png").string();
  return apps::run_app("compute_prior", [&] { return run(c); });
}
