// bench_train: training throughput (images/s) and peak memory of the colorization networks
// (seed and eccv16), one full training step being: forward, the class-rebalanced
// cross-entropy (kernels/color_loss.h, Subsampled by default or --loss full), backward, an
// Adam step. Next to tint it runs scripts/bench_pytorch.py, the same networks, loss math and
// optimizer written in PyTorch (eager), on the same data, device and settings, in the same
// invocation, and prints both with their ratios.
//
//   bench_train                              cpu: batch 4, 64x64, width 0.25 (2-core sized)
//   bench_train --device cuda --json r.json  GPU: batch 32, 176x176, width 1 (the real sizes)
//
// Each (model, framework) runs in its own process (tint: this program re-run with
// --worker; PyTorch: the script), so one run's memory does not count in another's peak.
// Peak memory: on a GPU the caching allocators' peak of allocated bytes
// (device_memory_stats().peak_allocated_bytes, torch.cuda.max_memory_allocated), both reset
// after the model, optimizer and data are in place; on the cpu the process' maximum
// resident set size (getrusage), which for PyTorch includes the interpreter and libtorch (its
// size before the model is printed as "base"). Throughput: images per second of the median
// step (each step ends with a device synchronize on a GPU), after --warmup untimed steps.
// Targets are printed, not asserted. See docs/performance.md, "Training throughput".
#include <omp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "app_main.h"
#include "framework/cuda/runtime.h"
#include "framework/cuda/settings.h"
#include "framework/memory/device_memory.h"
#include "framework/tint.h"
#include "kernels/ab_bins.h"
#include "kernels/color_loss.h"
#include "kernels/lab.h"
#include "models/registry.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The training recipe's optimizer (the report's: Adam, betas 0.9 / 0.999, lr 3e-5, weight
// decay 1e-3); its numbers do not change the cost of a step.
constexpr double kLr = 3e-5, kBeta1 = 0.9, kBeta2 = 0.999, kWeightDecay = 1e-3;

struct Config {
  std::string device = "cpu";
  std::vector<std::string> models = {"seed", "eccv16"};
  int64_t batch = 4, size = 64;
  double width = 0.25;
  int warmup = 3, steps = 30, threads = 1;
  std::string loss = "subsampled";  // or "full"
  bool cudnn_benchmark = false, tf32 = true;
  std::string data;  // raw float32 L then ab, written by the parent
};

json config_json(const Config& c, const std::string& model) {
  return {{"model", model},     {"device", c.device},   {"batch", c.batch},
          {"size", c.size},     {"width", c.width},     {"warmup", c.warmup},
          {"steps", c.steps},   {"threads", c.threads}, {"loss", c.loss},
          {"k", 5},             {"sigma", 5.0},         {"lr", kLr},
          {"beta1", kBeta1},    {"beta2", kBeta2},      {"weight_decay", kWeightDecay},
          {"tf32", c.tf32},     {"cudnn_benchmark", c.cudnn_benchmark},
          {"data", c.data},     {"bins", (fs::path(TINT_SOURCE_DIR) / "data" / "ab_bins_313.txt").string()}};
}

// The per-bin weights both sides use: fixed, varied values in [0.5, 1.5) (the cost of the
// weighted loss does not depend on them; a real prior comes from compute_prior).
std::vector<float> class_weights() {
  std::vector<float> w(tint::color::kNumBins);
  for (size_t q = 0; q < w.size(); ++q) w[q] = 0.5f + float((q * 37) % 100) / 100.0f;
  return w;
}

double max_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

tint::Device parse_device(const std::string& name) {
  const tint::Device device = tint::Device::parse(name);
  if (device.is_cuda()) {
    if (!tint::cuda::built_with_cuda())
      throw std::runtime_error("this build of tint has no CUDA backend (configure with "
                               "-DTINT_CUDA=ON on a machine with the CUDA toolkit and cuDNN)");
    if (device.index >= tint::cuda::device_count())
      throw std::runtime_error(device.str() + " is not available: " +
                               std::to_string(tint::cuda::device_count()) +
                               " CUDA device(s) visible to this process");
  }
  return device;
}

// Random sRGB noise images of the batch's size in Lab: L (N, 1, S, S) then ab (N, 2, S, S),
// float32, written raw for both frameworks to read.
void write_data(const std::string& path, int64_t batch, int64_t size) {
  using namespace tint;
  Generator gen(1234);
  NoGradGuard no_grad;
  const Tensor lab = color::rgb_to_lab(rand({batch, 3, size, size}, gen));
  const Tensor L = lab.slice(1, 0, 1).contiguous(), ab = lab.slice(1, 1, 3).contiguous();
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(L.raw_data()), static_cast<std::streamsize>(L.nbytes()));
  f.write(static_cast<const char*>(ab.raw_data()), static_cast<std::streamsize>(ab.nbytes()));
  if (!f) throw std::runtime_error("could not write the benchmark data to " + path);
}

// One model's run in this process; prints "result {json}" on stdout.
int run_worker(const Config& c, const std::string& model_name) {
  using namespace tint;
  const Device device = parse_device(c.device);
  const bool gpu = device.is_cuda();
  omp_set_num_threads(c.threads);
  if (gpu) {
    cuda::settings().allow_tf32 = c.tf32;
    cuda::settings().benchmark = c.cudnn_benchmark;
    cuda::settings().deterministic = false;
  }
  const double base_rss = max_rss_mb();

  // Data: the parent's file, moved to the device.
  const int64_t n = c.batch, s = c.size;
  std::vector<float> host(static_cast<size_t>(n * 3 * s * s));
  {
    std::ifstream f(c.data, std::ios::binary);
    f.read(reinterpret_cast<char*>(host.data()), static_cast<std::streamsize>(host.size() * 4));
    if (!f) throw std::runtime_error("could not read the benchmark data " + c.data);
  }
  const Tensor L = from_buffer(host.data(), {n, 1, s, s}, DType::Float32, device);
  const Tensor ab = from_buffer(host.data() + n * s * s, {n, 2, s, s}, DType::Float32, device);
  const std::vector<float> w = class_weights();
  const Tensor weights = from_vector(w, {color::kNumBins}).to(device);
  color::ColorLossOptions loss_options;
  loss_options.target_resolution =
      c.loss == "full" ? color::TargetResolution::Full : color::TargetResolution::Subsampled;

  Generator gen(42);
  auto model = models::make_model(model_name, models::Head::Classification, c.width, gen);
  model->to(device);
  model->train();
  const NamedParameters params = model->trainable_parameters();
  int64_t n_params = 0;
  for (const auto& [name, p] : params) n_params += p.numel();
  Adam opt(params, AdamOptions{kLr, kBeta1, kBeta2, 1e-8, kWeightDecay});
  if (gpu) {
    cuda::synchronize(device.index);
    device_reset_peak(device);
  }

  std::vector<double> ms;
  double first_loss = 0, last_loss = 0;
  for (int i = 0; i < c.warmup + c.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    opt.zero_grad();
    const Tensor logits = model->forward(L);
    const Tensor loss = color::rebalanced_cross_entropy(logits, ab, weights, loss_options);
    loss.backward();
    opt.step();
    if (gpu) cuda::synchronize(device.index);
    const auto t1 = std::chrono::steady_clock::now();
    if (i >= c.warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (i == 0) first_loss = loss.item();  // outside the timed span of step 0 (a warmup)
    if (i == c.warmup + c.steps - 1) last_loss = loss.item();
  }
  const double med = median(ms);
  const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
  json r = {{"framework", "tint"}, {"model", model_name},
            {"params", n_params},  {"ms_per_step_median", med},
            {"ms_per_step_mean", mean}, {"ms_per_step", ms},
            {"images_per_s", 1000.0 * double(c.batch) / med},
            {"first_loss", first_loss}, {"last_loss", last_loss}};
  if (gpu) {
    const AllocatorStats stats = device_memory_stats(device);
    r["peak_mb"] = double(stats.peak_allocated_bytes) / (1024.0 * 1024.0);
    r["peak_reserved_mb"] = double(stats.peak_reserved_bytes) / (1024.0 * 1024.0);
    r["memory"] = "device_memory_stats peak_allocated_bytes";
  } else {
    r["peak_mb"] = max_rss_mb();
    r["base_mb"] = base_rss;
    r["memory"] = "getrusage max RSS";
  }
  std::printf("result %s\n", r.dump().c_str());
  std::fflush(stdout);
  return 0;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

// Runs cmd, passing its stderr through; returns the JSON of its "result " line. Exit codes
// 3 and 4 are the script's "no torch" / "no CUDA in torch".
json run_child(const std::string& cmd, const std::string& what) {
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("could not start " + what);
  json result;
  std::string line;
  char buf[1 << 16];
  while (std::fgets(buf, sizeof buf, pipe)) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    if (line.rfind("result ", 0) == 0) result = json::parse(line.substr(7));
    line.clear();
  }
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 3)
    throw std::runtime_error(what + ": PyTorch is not importable (install python3-torch, "
                             "pass --python, or run with --no-torch)");
  if (code == 4)
    throw std::runtime_error(what + ": PyTorch cannot use a CUDA device (a CPU-only torch, "
                             "or no GPU); pass --python or run with --no-torch");
  if (code == 127) throw std::runtime_error(what + ": the program was not found");
  if (code != 0)
    throw std::runtime_error(what + " (" + cmd + ") failed with exit code " +
                             std::to_string(code));
  if (result.is_null()) throw std::runtime_error(what + " printed no result line");
  return result;
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this program (/proc/self/exe)");
  return p.string();
}

std::string today() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Training throughput (images/s) and peak memory of the colorization networks: forward, "
      "rebalanced cross-entropy, backward and an Adam step, for seed and eccv16, against the "
      "same networks and loss in PyTorch (scripts/bench_pytorch.py) run in the same "
      "invocation. cpu defaults: batch 4, 64x64, width 0.25; cuda: batch 32, 176x176, width 1."};
  Config c;
  c.threads = omp_get_num_procs();
  std::string json_path, python = "/usr/bin/python3", models_arg = "seed,eccv16", worker_model;
  bool no_torch = false;
  app.add_option("--device", c.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--models", models_arg, "comma-separated: seed, eccv16")->capture_default_str();
  auto* batch_opt = app.add_option("--batch", c.batch, "images per step (cpu 4, cuda 32)")
                        ->check(CLI::PositiveNumber);
  auto* size_opt = app.add_option("--size", c.size,
                                  "input height = width, a multiple of 8 (cpu 64, cuda 176)")
                       ->check(CLI::PositiveNumber);
  auto* width_opt = app.add_option("--width", c.width, "channel multiplier (cpu 0.25, cuda 1)")
                        ->check(CLI::PositiveNumber);
  auto* warmup_opt = app.add_option("--warmup", c.warmup, "untimed steps first (cpu 3, cuda 5)")
                         ->check(CLI::NonNegativeNumber);
  auto* steps_opt = app.add_option("--steps", c.steps, "timed steps (cpu 30, cuda 20)")
                        ->check(CLI::PositiveNumber);
  app.add_option("--loss", c.loss,
                 "subsampled: the loss at the logits' H/4 grid (Zhang's); full: at the input's "
                 "resolution (the report's)")
      ->check(CLI::IsMember({"subsampled", "full"}))
      ->capture_default_str();
  app.add_option("--threads", c.threads,
                 "cpu threads for both (OpenMP, torch.set_num_threads; default: all cores)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--cudnn-benchmark", c.cudnn_benchmark,
               "cuda: cudnnFind per shape on both sides (tint::cuda::settings().benchmark, "
               "torch.backends.cudnn.benchmark); off: cuDNN's heuristics on both");
  app.add_option("--json", json_path, "also write every number (both sides) as JSON here");
  auto* python_opt = app.add_option("--python", python,
                                    "the Python with torch (default /usr/bin/python3 on the "
                                    "cpu, python3 from PATH on cuda)");
  app.add_flag("--no-torch", no_torch, "time tint only");
  app.add_option("--worker", worker_model, "(internal) run one model in this process")
      ->group("");
  app.add_option("--data", c.data, "(internal) the data file")->group("");
  CLI11_PARSE(app, argc, argv);

  const bool gpu = c.device != "cpu";
  if (gpu) {
    if (!batch_opt->count()) c.batch = 32;
    if (!size_opt->count()) c.size = 176;
    if (!width_opt->count()) c.width = 1.0;
    if (!warmup_opt->count()) c.warmup = 5;
    if (!steps_opt->count()) c.steps = 20;
    if (!python_opt->count()) python = "python3";
  }
  try {
    if (c.size % 8 != 0)
      throw std::runtime_error("--size " + std::to_string(c.size) +
                               " must be a multiple of 8 (the networks halve it three times)");
    if (!worker_model.empty()) return run_worker(c, worker_model);

    c.models.clear();
    std::stringstream ss(models_arg);
    for (std::string m; std::getline(ss, m, ',');) {
      const auto names = tint::models::model_names();
      if (std::find(names.begin(), names.end(), m) == names.end())
        throw std::runtime_error("--models: unknown model '" + m + "' (seed, eccv16)");
      c.models.push_back(m);
    }
    const tint::Device device = parse_device(c.device);
    const std::string device_name = gpu ? tint::cuda::device_name(device.index) : "cpu";
    const fs::path script = fs::path(TINT_SOURCE_DIR) / "scripts" / "bench_pytorch.py";
    if (!no_torch) {  // fail before the tint runs, not after
      if (!fs::exists(script))
        throw std::runtime_error("cannot find " + script.string() + " (run with --no-torch)");
      run_child(shell_quote(python) + " " + shell_quote(script.string()) + " --check " +
                    (gpu ? "--device cuda" : ""),
                "the PyTorch check");
    }

    const fs::path tmp = fs::temp_directory_path() / ("tint_bench_train_" + std::to_string(getpid()));
    fs::create_directories(tmp);
    struct Cleanup {
      fs::path p;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(p, ec);
      }
    } cleanup{tmp};
    c.data = (tmp / "data.bin").string();
    write_data(c.data, c.batch, c.size);

    char head[512];
    std::snprintf(head, sizeof head,
                  "training step (forward, rebalanced cross-entropy %s, backward, Adam) on %s "
                  "(%s), batch %lld, %lldx%lld, width %g, float32%s, %d warmup + %d timed "
                  "steps, images/s of the median step",
                  c.loss == "full" ? "Full" : "Subsampled", c.device.c_str(), device_name.c_str(),
                  static_cast<long long>(c.batch), static_cast<long long>(c.size),
                  static_cast<long long>(c.size), c.width,
                  gpu ? (c.tf32 ? ", TF32 convolutions" : "") : "", c.warmup, c.steps);
    std::cerr << "bench_train: " << head << "\n";

    json out = {{"date", today()}, {"device", c.device}, {"device_name", device_name},
                {"batch", c.batch}, {"size", c.size}, {"width", c.width},
                {"warmup", c.warmup}, {"steps", c.steps}, {"loss", c.loss},
                {"threads", c.threads}, {"tf32", gpu && c.tf32},
                {"cudnn_benchmark", gpu && c.cudnn_benchmark},
                {"tint_cudnn_version", gpu ? tint::cuda::cudnn_version() : 0},
                {"memory", gpu ? "peak allocated bytes of each side's caching allocator"
                               : "process max RSS (getrusage), one process per run"},
                {"models", json::array()}};
    const std::string exe = self_exe();
    for (const std::string& m : c.models) {
      std::string args = " --worker " + m + " --device " + shell_quote(c.device) + " --batch " +
                         std::to_string(c.batch) + " --size " + std::to_string(c.size) +
                         " --width " + fmt("%.17g", c.width) + " --warmup " +
                         std::to_string(c.warmup) + " --steps " + std::to_string(c.steps) +
                         " --loss " + c.loss + " --threads " + std::to_string(c.threads) +
                         " --data " + shell_quote(c.data) +
                         (c.cudnn_benchmark ? " --cudnn-benchmark" : "");
      std::cerr << "bench_train: tint " << m << "\n";
      json entry = {{"model", m}, {"tint", run_child(shell_quote(exe) + args, "tint " + m)}};
      if (!no_torch) {
        const fs::path cfg = tmp / ("torch_" + m + ".json");
        std::ofstream(cfg) << config_json(c, m).dump() << "\n";
        std::cerr << "bench_train: torch " << m << "\n";
        entry["torch"] = run_child(shell_quote(python) + " " + shell_quote(script.string()) +
                                       " " + shell_quote(cfg.string()),
                                   "the PyTorch benchmark of " + m);
        const json &t = entry["tint"], &p = entry["torch"];
        entry["speed_ratio"] = t["images_per_s"].get<double>() / p["images_per_s"].get<double>();
        entry["memory_ratio"] = t["peak_mb"].get<double>() / p["peak_mb"].get<double>();
        if (t["params"] != p["params"])
          std::cerr << "bench_train: warning: " << m << " has " << t["params"]
                    << " trainable parameters in tint but " << p["params"] << " in PyTorch\n";
      }
      out["models"].push_back(entry);
    }

    std::printf("%s\n", head);
    std::printf("%-7s %9s %11s %11s %10s %12s %12s %10s %10s %10s\n", "model", "params",
                "tint img/s", "torch img/s", "tint/torch", "tint peak MB", "torch peak MB",
                "mem ratio", "tint loss0", "torch loss0");
    bool met = true;
    for (const json& e : out["models"]) {
      const json& t = e["tint"];
      std::printf("%-7s %9lld %11.2f ", e["model"].get<std::string>().c_str(),
                  static_cast<long long>(t["params"].get<int64_t>()),
                  t["images_per_s"].get<double>());
      if (e.contains("torch")) {
        const json& p = e["torch"];
        met = met && e["speed_ratio"].get<double>() >= 1.0 && e["memory_ratio"].get<double>() <= 1.0;
        std::printf("%11.2f %10.2f %12.1f %12.1f %10.2f %10.2f %10.2f\n",
                    p["images_per_s"].get<double>(), e["speed_ratio"].get<double>(),
                    t["peak_mb"].get<double>(), p["peak_mb"].get<double>(),
                    e["memory_ratio"].get<double>(), t["first_loss"].get<double>(),
                    p["first_loss"].get<double>());
      } else {
        std::printf("%11s %10s %12.1f %12s %10s %10.2f %10s\n", "-", "-",
                    t["peak_mb"].get<double>(), "-", "-", t["first_loss"].get<double>(), "-");
      }
    }
    if (gpu) {
      std::printf("peak MB: each side's caching-allocator peak of allocated bytes during the "
                  "steps (model, gradients, Adam state, activations, data)\n");
    } else {
      std::printf("peak MB: process max RSS (getrusage); before the model: tint");
      for (const json& e : out["models"]) {
        std::printf(" %s %.0f MB", e["model"].get<std::string>().c_str(),
                    e["tint"]["base_mb"].get<double>());
        if (e.contains("torch"))
          std::printf(", torch (after import) %.0f MB", e["torch"]["base_mb"].get<double>());
        std::printf(";");
      }
      std::printf(" %d thread(s) each\n", c.threads);
    }
    std::printf("loss0: the first step's loss (per-image sum), both from their own random "
                "initialisation on the same data\n");
    const char* verdict = no_torch ? "not measured (no PyTorch run)"
                          : !gpu   ? "a GPU target (this is a cpu run)"
                          : met    ? "met"
                                   : "not met";
    std::printf("target (GPU): at least PyTorch eager's throughput at no more memory: %s\n",
                verdict);
    out["target"] = "at least PyTorch eager's throughput at no more memory (GPU)";
    out["target_verdict"] = verdict;
    if (!json_path.empty()) {
      std::ofstream f(json_path);
      if (!(f << out.dump(2) << "\n")) throw std::runtime_error("could not write " + json_path);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_train: " << tint::apps::user_message(e.what()) << "\n";
    return 1;
  }
}
