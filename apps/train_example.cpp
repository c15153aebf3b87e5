// train_example: trains the small example CNN (models/example_cnn.h) to tell the orientation
// of a bar in noisy generated images — the framework end to end (data, conv/BN/ReLU, cross-
// entropy, Adam with a cosine schedule, checkpoints) before the colorization apps exist.
// Writes metrics.csv, checkpoint.safetensors and predictions.png (held-out images, green
// border = right, red = wrong) into --out.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app_main.h"
#include "flag_checks.h"
#include "image_io.h"
#include "models/example_cnn.h"
#include "progress_bar.h"
#include "setting_limits.h"

using namespace tint;
namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t interrupted = 0;
void on_sigint(int) { interrupted = 1; }

struct Config {
  int64_t steps = 300, batch = 32, size = 16, width = 8, train_images = 2048;
  double lr = 1e-2;
  uint64_t seed = 1;
  std::string device = "auto", out = "runs/example";
  bool resume = false;
};

// 8 x 4 grid of held-out images, each scaled up 4x, framed green (right) or red (wrong).
apps::RgbImage prediction_grid(const Tensor& images, const Tensor& predicted,
                               const Tensor& labels) {
  const int64_t n = std::min<int64_t>(32, images.shape()[0]), s = images.shape()[2];
  const int cell = static_cast<int>(s) * 4 + 4, cols = 8;
  apps::RgbImage grid(cols * cell, static_cast<int>((n + cols - 1) / cols) * cell, 255);
  const std::vector<float> px = images.to_vector<float>();
  const std::vector<int64_t> pred = predicted.to_vector<int64_t>(), lab = labels.to_vector<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const int ox = static_cast<int>(i % cols) * cell, oy = static_cast<int>(i / cols) * cell;
    const bool right = pred[i] == lab[i];
    for (int y = 0; y < cell; ++y)
      for (int x = 0; x < cell; ++x) {
        uint8_t* p = grid.at(ox + x, oy + y);
        if (x < 2 || y < 2 || x >= cell - 2 || y >= cell - 2) {
          p[0] = right ? 40 : 220, p[1] = right ? 180 : 40, p[2] = 40;
          continue;
        }
        const int64_t sy = (y - 2) / 4, sx = (x - 2) / 4;
        const float v = std::clamp(px[(i * s + sy) * s + sx] * 0.6f + 0.3f, 0.0f, 1.0f);
        p[0] = p[1] = p[2] = static_cast<uint8_t>(v * 255);
      }
  }
  return grid;
}

int run(const Config& c) {
  const Device device = apps::pick_device(c.device);
  fs::create_directories(c.out);
  const std::string checkpoint = (fs::path(c.out) / "checkpoint.safetensors").string();
  Generator data_gen(c.seed), init_gen(c.seed + 1);
  const models::LabelledImages train = models::make_bar_images(c.train_images, c.size, data_gen);
  const models::LabelledImages test = models::make_bar_images(512, c.size, data_gen);
  models::ExampleCnn model(c.width, init_gen);
  model.to(device);
  Adam opt(model.named_parameters(), AdamOptions{.lr = c.lr});
  CosineAnnealingLR schedule(opt, c.steps);
  int64_t start = 0;
  if (c.resume) {
    const auto extra = load_checkpoint(checkpoint, model, &opt);
    start = opt.step_count();
    schedule.set_last_epoch(start);
    std::printf("resumed from %s at step %lld\n", checkpoint.c_str(), static_cast<long long>(start));
  }
  std::printf("example CNN: %lld parameters, %lld steps of batch %lld on %s\n",
              static_cast<long long>(model.parameter_count()), static_cast<long long>(c.steps),
              static_cast<long long>(c.batch), device.str().c_str());
  std::ofstream metrics(fs::path(c.out) / "metrics.csv", c.resume ? std::ios::app : std::ios::trunc);
  if (!c.resume) metrics << "step,loss,lr\n";
  std::signal(SIGINT, on_sigint);
  apps::ProgressBar bar((c.steps - start) * c.batch, "train", "img");
  const Tensor train_x = train.images.to(device), train_y = train.labels.to(device);
  double loss_value = 0;
  int64_t step = start;
  for (; step < c.steps && !interrupted; ++step) {
    const int64_t begin = (step * c.batch) % (c.train_images - c.batch + 1);
    Tensor loss = cross_entropy(model(train_x.slice(0, begin, begin + c.batch)),
                                train_y.slice(0, begin, begin + c.batch).contiguous());
    opt.zero_grad();
    loss.backward();
    opt.step();
    schedule.step();
    loss_value = loss.item();
    metrics << step + 1 << "," << loss_value << "," << opt.lr() << "\n";
    bar.update((step + 1 - start) * c.batch, {{"loss", loss_value}});
  }
  bar.finish();
  metrics.close();
  save_checkpoint(checkpoint, model, &opt, {});
  if (interrupted) {
    std::printf("interrupted at step %lld: checkpoint saved to %s (continue with --resume)\n",
                static_cast<long long>(step), checkpoint.c_str());
    return 130;
  }
  model.eval();
  NoGradGuard no_grad;
  const Tensor predicted = argmax(model(test.images.to(device)), 1).cpu();
  const double accuracy = mean(eq(predicted, test.labels).to(DType::Float64)).item();
  const std::string png = (fs::path(c.out) / "predictions.png").string();
  apps::write_png(png, prediction_grid(test.images, predicted, test.labels));
  std::printf("final training loss %.4f; held-out accuracy %.1f%% (chance 25%%)\n", loss_value,
              100 * accuracy);
  std::printf("wrote %s/metrics.csv, %s, %s\n", c.out.c_str(), checkpoint.c_str(), png.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train the small example CNN on generated bar images (tint end to end)."};
  Config c;
  namespace flags = apps::flags;
  app.add_option("--steps", c.steps, "training steps")
      ->capture_default_str()
      ->transform(flags::whole_number(apps::limits::kIters));
  app.add_option("--batch", c.batch, "images per step (at most --train-images)")
      ->capture_default_str()
      ->transform(flags::whole_number(apps::limits::kBatch));
  app.add_option("--lr", c.lr, "Adam learning rate (cosine-decayed to 0)")
      ->capture_default_str()
      ->transform(flags::real_number(apps::limits::kLearningRate));
  app.add_option("--size", c.size, "image size in pixels")
      ->capture_default_str()
      ->transform(flags::whole_number({6, 256}));
  app.add_option("--width", c.width, "channels of the first conv")
      ->capture_default_str()
      ->transform(flags::whole_number({1, 256}));
  app.add_option("--train-images", c.train_images, "generated training images")
      ->capture_default_str()
      ->transform(flags::whole_number({64, int64_t{1} << 20}));
  app.add_option("--seed", c.seed, "seed of data and initialisation")
      ->capture_default_str()
      ->transform(flags::seed_number());
  app.add_option("--device", c.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--out", c.out, "output folder")->capture_default_str();
  app.add_flag("--resume", c.resume, "continue from <out>/checkpoint.safetensors");
  flags::one_line_errors(app, "train_example");
  CLI11_PARSE(app, argc, argv);
  if (c.batch > c.train_images) {
    std::fprintf(stderr, "train_example: --batch %lld is larger than --train-images %lld\n",
                 static_cast<long long>(c.batch), static_cast<long long>(c.train_images));
    return 2;
  }
  return apps::run_app("train_example", [&] { return run(c); });
}
