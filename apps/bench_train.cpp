// bench_train: training throughput (images/s), peak memory and distance from the hardware
// floor of the colorization networks (seed and eccv16), one full training step being:
// forward, the class-rebalanced cross-entropy (kernels/color_loss.h, Subsampled by default or
// --loss full), backward, an Adam step. In the same invocation it runs
// scripts/bench_pytorch.py, the same networks, loss math and optimizer in PyTorch, on the
// same data, device and settings, in up to three modes (--torch-modes): eager (float32, TF32
// on a GPU), channels_last_bf16 (channels_last + autocast bf16) and compiled (torch.compile
// of the latter), and prints one row per (model, batch, framework, mode) with the ratios.
// tint runs in the modes of --tint-modes: fp32 (TF32 convolutions on a GPU) or bf16 (bfloat16
// mixed precision: nn::settings().autocast_bfloat16), then optionally _nhwc (the channels_last
// layout: nn::settings().channels_last) and _graph (the step replayed from CUDA graphs:
// framework/optim/graphed_step.h; a replayed step has no ops for the op profile to time).
//
//   bench_train                              cpu: batch 4, 64x64, width 0.25, torch eager
//   bench_train --device cuda --json r.json  GPU: batches 32 and 64, 176x176, width 1, all
//                                            three PyTorch modes, tint fp32, bf16, bf16_nhwc,
//                                            bf16_nhwc_graph
//
// Floor: tint counts the forward pass's FLOPs (tint::FlopCounter: convolutions and matmuls,
// 2 per multiply-add) on the bench's input; a training step is taken as 3 x that (forward,
// input gradient, weight gradient: the usual estimate), and the floor is that step at the
// dense matrix rate bench_pytorch.py --matmul-rate measures in this invocation (the best of
// a few torch.matmul runs: 8192^2 bf16 and TF32 on a GPU, 2048^2 fp32 on the cpu). Each row
// uses the rate of its precision (bf16 modes: bf16; float32 rows: TF32 on a GPU, fp32 on the
// cpu) and shows floor images/s and the % of it reached.
//
// Each run is its own process (tint: this program re-run with --worker; PyTorch: the script),
// so one run's memory does not count in another's peak. Peak memory: on a GPU the caching
// allocators' peak of allocated bytes (device_memory_stats().peak_allocated_bytes,
// torch.cuda.max_memory_allocated) over the timed steps (reset after the warmup steps;
// a CUDA-graph run's from its capture on, the second step: replays allocate nothing); on
// the cpu the process' maximum resident set size (getrusage), which for PyTorch includes the
// interpreter and libtorch (its size before the model is printed as "base"). Throughput:
// images per second of the median step (each step ends with a device synchronize on a GPU),
// after --warmup untimed steps. --profile-steps N adds N steps with tint's op profile on
// (framework/ops/op_profile.h; with --profile-torch PyTorch's too, torch.profiler) after the
// timed ones and prints each row's slowest ops (on a GPU each op's GPU time, CUDA events or
// CUPTI; on the cpu wall or self time). --budget caps the
// whole sweep's time: runs that no longer fit are listed as skipped or timed out. Targets
// (apps/support/train_bench_table.h) are printed, not asserted. See
// docs/performance.md, "Training throughput".
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "app_main.h"
#include "child_result.h"
#include "flag_checks.h"
#include "framework/cuda/runtime.h"
#include "framework/cuda/settings.h"
#include "framework/memory/device_memory.h"
#include "framework/optim/graphed_step.h"
#include "framework/tint.h"
#include "kernels/ab_bins.h"
#include "kernels/color_loss.h"
#include "kernels/lab.h"
#include "models/registry.h"
#include "setting_limits.h"
#include "train_bench_table.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tint::apps::run_child;
using tint::apps::shell_quote;

namespace {

// The training recipe's optimizer (the report's: Adam, betas 0.9 / 0.999, lr 3e-5, weight
// decay 1e-3); its numbers do not change the cost of a step.
constexpr double kLr = 3e-5, kBeta1 = 0.9, kBeta2 = 0.999, kWeightDecay = 1e-3;
// Under --budget, a run is started only with at least this many seconds left.
constexpr double kMinRunSeconds = 10;
const std::vector<std::string> kTorchModes = {"eager", "channels_last_bf16", "compiled"};
// tint's modes: float32 (TF32 convolutions on a GPU) or bfloat16 mixed precision
// (nn::settings().autocast_bfloat16, framework/ops/mixed_precision.h), then optionally _nhwc
// (the channels_last layout: nn::settings().channels_last, tensor/layout.h, with the input's
// channels padded to 8 and the head's to 320) and _graph (the step replayed from CUDA graphs:
// framework/optim/graphed_step.h).
struct TintMode {
  bool bf16 = false, nhwc = false, graph = false;
};
const std::vector<std::string> kTintModes = {
    "fp32", "fp32_nhwc", "fp32_graph", "fp32_nhwc_graph",
    "bf16", "bf16_nhwc", "bf16_graph", "bf16_nhwc_graph"};
// The GPU's default sweep.
const std::vector<std::string> kGpuTintModes = {"fp32", "bf16", "bf16_nhwc", "bf16_nhwc_graph"};

TintMode parse_tint_mode(const std::string& mode) {
  TINT_CHECK(std::find(kTintModes.begin(), kTintModes.end(), mode) != kTintModes.end(),
             "--tint-modes: unknown mode '", mode,
             "' (fp32 or bf16, then optionally _nhwc, then _graph)");
  return {mode.rfind("bf16", 0) == 0, mode.find("_nhwc") != std::string::npos,
          mode.ends_with("_graph")};
}

struct Config {
  std::string device = "cpu";
  std::vector<std::string> models = {"seed", "eccv16"};
  int64_t batch = 4, size = 64;        // batch: the worker's (one run)
  std::vector<int64_t> batches = {4};  // the sweep's
  std::vector<std::string> torch_modes = {"eager"};
  double width = 0.25;
  int warmup = 3, steps = 30, threads = 1;
  int profile_steps = 0;  // extra steps with the op profile on (framework/ops/op_profile.h)
  bool profile_torch = false;  // PyTorch's runs profiled too (torch.profiler)
  std::string loss = "subsampled";  // or "full"
  bool cudnn_benchmark = false, tf32 = true;
  bool plain = false;  // tint with every nn switch off (no bias+ReLU fusion on CUDA either)
  std::vector<std::string> tint_modes = {"fp32"};  // the sweep's: fp32, bf16
  std::string tint_mode = "fp32";                  // the worker's
  std::string data;  // raw float32 L then ab, written by the parent
};

// One run of the sweep: tint's (mode "fp32") or one PyTorch mode's.
struct Run {
  std::string model;
  int64_t batch;
  std::string framework, mode, precision;
};

json config_json(const Config& c, const Run& run, const std::string& data) {
  return {{"model", run.model},
          {"device", c.device},
          {"batch", run.batch},
          {"size", c.size},
          {"width", c.width},
          {"warmup", c.warmup},
          {"steps", c.steps},
          {"threads", c.threads},
          {"loss", c.loss},
          {"k", 5},
          {"sigma", 5.0},
          {"lr", kLr},
          {"beta1", kBeta1},
          {"beta2", kBeta2},
          {"weight_decay", kWeightDecay},
          {"tf32", c.tf32},
          {"cudnn_benchmark", c.cudnn_benchmark},
          {"profile_steps", c.profile_torch ? c.profile_steps : 0},
          {"mode", run.mode},
          {"data", data},
          {"bins", (fs::path(TINT_SOURCE_DIR) / "data" / "ab_bins_313.txt").string()}};
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
      throw std::runtime_error(
          "this build of tint has no CUDA backend (configure with "
          "-DTINT_CUDA=ON on a machine with the CUDA toolkit and cuDNN)");
    if (device.index >= tint::cuda::device_count())
      throw std::runtime_error(device.str() +
                               " is not available: " + std::to_string(tint::cuda::device_count()) +
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
    if (c.plain) nn::settings() = nn::Settings{.fuse_bias_relu_on_cuda = false};
    cuda::settings().benchmark = c.cudnn_benchmark;
    cuda::settings().deterministic = false;
  }
  const TintMode mode = parse_tint_mode(c.tint_mode);
  TINT_CHECK(!mode.graph || gpu, "tint mode ", c.tint_mode, ": CUDA graphs need a GPU");
  nn::settings().autocast_bfloat16 = mode.bf16;
  // NHWC with the tensor-core-friendly channel counts: the L input padded to 8 channels and the
  // 313-way head to 320 (result-preserving, framework/nn/settings.h).
  nn::settings().channels_last = mode.nhwc;
  nn::settings().pad_input_channels = mode.nhwc;
  nn::settings().pad_output_channels = mode.nhwc;
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
  // The forward pass's FLOPs on this input (eval mode: no batch-norm statistics updated, no
  // dropout mask drawn, so the timed steps are those of a run without this pass).
  int64_t forward_flops = 0;
  {
    model->eval();
    NoGradGuard no_grad;
    FlopCounter counter;
    model->forward(L);
    forward_flops = counter.total();
  }
  model->train();
  const NamedParameters params = model->trainable_parameters();
  int64_t n_params = 0;
  for (const auto& [name, p] : params) n_params += p.numel();
  Adam opt(params, AdamOptions{kLr, kBeta1, kBeta2, 1e-8, kWeightDecay});

  const auto forward = [&] { return model->forward(L); };
  const auto loss_of = [&](const Tensor& logits) {
    return color::rebalanced_cross_entropy(logits, ab, weights, loss_options);
  };
  // _graph: the step replayed from a CUDA graph (its first step warms up, the second captures).
  std::unique_ptr<GraphedTrainStep> graphed;
  if (mode.graph) graphed = std::make_unique<GraphedTrainStep>(device, forward, loss_of, opt);
  // One training step; returns its loss (still on the device).
  const auto train_step = [&] {
    Tensor loss;
    if (graphed) {
      loss = graphed->step();
    } else {
      opt.zero_grad();
      loss = loss_of(forward());
      loss.backward();
      opt.step();
    }
    if (gpu) cuda::synchronize(device.index);
    return loss;
  };
  std::vector<double> ms;
  double first_loss = 0, last_loss = 0, first_ms = 0;
  for (int i = 0; i < c.warmup + c.steps; ++i) {
    // The peak of the timed steps; a graphed run's from its capture (step 2) on, since the
    // capture allocates what each replay then reuses without allocating (its intermediates
    // are free blocks of the graph's pool during the replays), while step 1 (an eager step,
    // where --cudnn-benchmark's cudnnFind workspaces come and go) is left out as the eager
    // runs' warmup is.
    if (gpu && i == (graphed ? 1 : c.warmup)) {
      cuda::synchronize(device.index);
      device_reset_peak(device);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const Tensor loss = train_step();
    const auto t1 = std::chrono::steady_clock::now();
    const double step_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (i >= c.warmup) ms.push_back(step_ms);
    if (i == 0) {  // outside the timed span of step 0 (a warmup)
      first_ms = step_ms;
      first_loss = loss.item();
    }
    if (i == c.warmup + c.steps - 1) last_loss = loss.item();
  }
  // Peak memory is read before these: the profile's steps are not timed or measured.
  const AllocatorStats stats = gpu ? device_memory_stats(device) : AllocatorStats{};
  json profile;
  if (c.profile_steps > 0) {
    op_profile::reset();
    op_profile::enable(true);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < c.profile_steps; ++i) train_step();
    const double wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    op_profile::enable(false);
    const double steps = c.profile_steps;
    json ops = json::array();
    for (const op_profile::OpTime& t : op_profile::snapshot())
      ops.push_back({{"op", t.op},
                     {"calls_per_step", double(t.calls) / steps},
                     {"ms_per_step", 1000.0 * t.seconds / steps}});
    profile = {{"steps", c.profile_steps},
               {"ms_per_step", wall_ms / steps},
               {"clock", gpu ? "cuda events" : "host"},
               {"ops", ops}};
  }
  const double med = median(ms);
  const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
  json r = {{"framework", "tint"},
            {"model", model_name},
            {"mode", c.tint_mode + (c.plain ? "-plain" : "")},
            {"batch", c.batch},
            {"params", n_params},
            {"ms_per_step_median", med},
            {"ms_per_step_mean", mean},
            {"ms_per_step", ms},
            {"images_per_s", 1000.0 * double(c.batch) / med},
            {"first_step_ms", first_ms},
            {"first_loss", first_loss},
            {"last_loss", last_loss},
            {"forward_flops", forward_flops}};
  if (!profile.is_null()) r["profile"] = profile;
  if (graphed) r["graph_nodes"] = graphed->graph_nodes();
  // Inputs cuDNN's batch norm refused (computed contiguous in float32 instead) or whose
  // persistent NHWC kernels it declined; the cuDNN convolution algorithms chosen.
  r["batch_norm_fallbacks"] = batch_norm_cudnn_refusals();
  r["conv_algorithms"] = conv_algorithm_choices();
  if (gpu) {
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

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> items;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string s;
  for (const std::string& item : items) s += (s.empty() ? "" : sep) + item;
  return s;
}

// The wall-clock budget of the sweep (--budget; 0 = none).
class Budget {
 public:
  explicit Budget(double seconds) : seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  bool limited() const { return seconds_ > 0; }
  double left() const {
    if (!limited()) return std::numeric_limits<double>::infinity();
    const double used =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return seconds_ - used;
  }
  double child_timeout() const { return limited() ? std::max(1.0, left()) : 0.0; }

 private:
  double seconds_;
  std::chrono::steady_clock::time_point start_;
};

// The runs in the order they are made: per batch and model tint and the PyTorch modes,
// compiled ones last (they spend the most time compiling, so a tight --budget drops them
// first).
std::vector<Run> plan_runs(const Config& c, bool gpu, bool no_torch) {
  const auto precision_of = [&](bool bf16) {
    return bf16 ? "bf16" : gpu && c.tf32 ? "tf32" : "fp32";
  };
  const auto torch_run = [&](const std::string& model, int64_t batch, const std::string& mode) {
    return Run{model, batch, "torch", mode, precision_of(mode != "eager")};
  };
  std::vector<Run> runs;
  for (int64_t batch : c.batches)
    for (const std::string& model : c.models) {
      for (const std::string& mode : c.tint_modes)
        runs.push_back({model, batch, "tint", mode + (c.plain ? "-plain" : ""),
                        precision_of(parse_tint_mode(mode).bf16)});
      if (no_torch) continue;
      for (const std::string& mode : c.torch_modes)
        if (mode != "compiled") runs.push_back(torch_run(model, batch, mode));
    }
  if (!no_torch &&
      std::find(c.torch_modes.begin(), c.torch_modes.end(), "compiled") != c.torch_modes.end())
    for (int64_t batch : c.batches)
      for (const std::string& model : c.models) runs.push_back(torch_run(model, batch, "compiled"));
  return runs;
}

// The command line of one run.
std::string run_command(const Config& c, const Run& run, const std::string& data,
                        const std::string& python, const fs::path& script, const fs::path& tmp) {
  if (run.framework == "tint")
    return shell_quote(self_exe()) + " --worker " + run.model + " --device " +
           shell_quote(c.device) + " --batch " + std::to_string(run.batch) + " --size " +
           std::to_string(c.size) + " --width " + fmt("%.17g", c.width) + " --warmup " +
           std::to_string(c.warmup) + " --steps " + std::to_string(c.steps) + " --loss " + c.loss +
           " --threads " + std::to_string(c.threads) + " --data " + shell_quote(data) +
           " --profile-steps " + std::to_string(c.profile_steps) +
           (c.cudnn_benchmark ? " --cudnn-benchmark" : "") + (c.tf32 ? "" : " --no-tf32") +
           (c.plain ? " --plain" : "") + " --tint-mode " +
           run.mode.substr(0, run.mode.find('-'));
  const fs::path cfg =
      tmp / ("torch_" + run.model + "_" + std::to_string(run.batch) + "_" + run.mode + ".json");
  std::ofstream(cfg) << config_json(c, run, data).dump() << "\n";
  return shell_quote(python) + " " + shell_quote(script.string()) + " --mode " + run.mode + " " +
         shell_quote(cfg.string());
}

// One run as a table row: the child's numbers, or why there are none.
json make_row(const Run& run, const std::string& cmd, const Budget& budget) {
  json row = {{"model", run.model}, {"batch", run.batch},         {"framework", run.framework},
              {"mode", run.mode},   {"precision", run.precision}, {"status", "ok"}};
  const std::string what = run.framework + " " + run.model + " batch " + std::to_string(run.batch) +
                           (run.framework == "tint" ? "" : " " + run.mode);
  if (budget.left() < kMinRunSeconds) {
    row["status"] = "skipped";
    row["reason"] = "the --budget was spent";
    return row;
  }
  std::cerr << "bench_train: " << what << "\n";
  try {
    const json result = run_child(cmd, what, budget.child_timeout());
    if (result.contains("unavailable")) {
      row["status"] = "unavailable";
      row["reason"] = result["unavailable"];
    } else {
      for (const char* key : {"images_per_s", "peak_mb", "first_loss", "params"})
        row[key] = result.at(key);
    }
    row["result"] = result;
  } catch (const tint::apps::ChildTimedOut& e) {
    row["status"] = "timed out";
    row["reason"] = e.what();
  } catch (const std::exception& e) {
    row["status"] = "failed";
    row["reason"] = tint::apps::user_message(e.what());
  }
  return row;
}

// The forward FLOPs of each model and batch: tint's count, else PyTorch eager's
// (torch.utils.flop_counter); a disagreement between the two is reported.
json forward_flops_of(const json& rows, json& checks) {
  json flops = json::object();
  std::map<std::string, double> torch_count;
  for (const json& row : rows) {
    if (row["status"] != "ok") continue;
    const json f = row["result"].value("forward_flops", json());
    if (!f.is_number()) continue;
    const std::string key =
        tint::apps::flops_key(row["model"].get<std::string>(), row["batch"].get<int64_t>());
    if (row["framework"] == "tint")
      flops[key] = f;
    else
      torch_count[key] = f.get<double>();
  }
  for (const auto& [key, count] : torch_count) {
    if (!flops.contains(key)) {
      flops[key] = count;
      continue;
    }
    const double tint_count = flops[key].get<double>();
    checks[key] = {{"tint", tint_count}, {"torch_flop_counter", count}};
    if (std::abs(tint_count - count) > 1e-3 * tint_count)
      std::cerr << "bench_train: warning: " << key << ": tint counts " << tint_count
                << " forward FLOPs but torch.utils.flop_counter " << count << "\n";
  }
  return flops;
}

// The dense matrix rates by precision, measured by bench_pytorch.py --matmul-rate; an
// object with "error" when it could not be measured.
json measure_matmul_rate(const std::string& python, const fs::path& script, const Config& c,
                         const std::vector<std::string>& precisions, const Budget& budget) {
  const std::string cmd = shell_quote(python) + " " + shell_quote(script.string()) +
                          " --matmul-rate --device " + shell_quote(c.device) + " --threads " +
                          std::to_string(c.threads) + " --precisions " + join(precisions, ",");
  std::cerr << "bench_train: matmul rate (" << join(precisions, ", ") << ")\n";
  try {
    return run_child(cmd, "the matmul rate", budget.limited() ? std::min(120.0, budget.left()) : 0);
  } catch (const std::exception& e) {
    std::cerr << "bench_train: warning: no floor: " << e.what() << "\n";
    return {{"error", tint::apps::user_message(e.what())}};
  }
}

// What a profile's "clock" measured (tint's op_profile: "cuda events" or "host";
// bench_pytorch.py: the torch.profiler ones), and whether it is GPU time.
struct ProfileClock {
  const char* clock;
  const char* how;
  bool gpu;
};
const ProfileClock& profile_clock(const std::string& clock) {
  static const ProfileClock kClocks[] = {
      {"cuda events", "each op's GPU time from CUDA events", true},
      {"torch profiler (CUPTI)", "each op's self GPU time from torch.profiler", true},
      {"torch profiler (cpu)", "each op's self time from torch.profiler", false},
      {"host", "each op's wall time", false}};
  for (const ProfileClock& k : kClocks)
    if (clock == k.clock) return k;
  return kClocks[3];
}

// Each row's op profile (--profile-steps; tint's from framework/ops/op_profile.h, PyTorch's
// from torch.profiler in scripts/bench_pytorch.py): the ops taking the most time per step.
// On a GPU both give each op's GPU time without waiting for the GPU per op, so the profiled
// steps run near their unprofiled pace and the step's remainder is the GPU idle (waiting for
// the host) or running work outside the ops.
void print_profiles(const json& rows, size_t top) {
  for (const json& row : rows) {
    if (row["status"] != "ok" || !row["result"].contains("profile")) continue;
    const json& p = row["result"]["profile"];
    double listed = 0;
    for (const json& op : p["ops"]) listed += op["ms_per_step"].get<double>();
    const ProfileClock& clock = profile_clock(p.value("clock", "host"));
    std::printf("op profile: %s %s %s batch %lld, %lld profiled steps of %.2f ms (%s; ops %.2f "
                "ms, the rest %s):\n",
                row["framework"].get<std::string>().c_str(), row["mode"].get<std::string>().c_str(),
                row["model"].get<std::string>().c_str(),
                static_cast<long long>(row["batch"].get<int64_t>()),
                static_cast<long long>(p["steps"].get<int64_t>()), p["ms_per_step"].get<double>(),
                clock.how, listed,
                clock.gpu ? "the GPU idle or outside the ops" : "host work between ops");
    size_t shown = 0;
    for (const json& op : p["ops"]) {
      if (shown++ == top) break;
      std::string name = op["op"].get<std::string>();
      if (name.size() > 44) name = name.substr(0, 41) + "...";
      std::printf("  %-44s %7.1f calls %9.3f ms %5.1f%%\n", name.c_str(),
                  op["calls_per_step"].get<double>(), op["ms_per_step"].get<double>(),
                  100.0 * op["ms_per_step"].get<double>() / p["ms_per_step"].get<double>());
    }
  }
}

// The notes under the table: what the marks and columns mean, FLOPs, rates, memory.
void print_notes(const json& out, bool gpu, int threads) {
  std::printf(
      "*: tint's row against the fastest PyTorch mode of its model and batch; PyTorch "
      "rows: tint's img/s and peak MB over the row's (tint's fastest bf16 row for the bf16 "
      "modes, its fastest float32 row for eager)\n");
  std::printf(
      "floor img/s: batch / (step FLOPs / the matmul rate of the row's precision); "
      "step FLOPs = %d x forward (forward, input gradient, weight gradient; "
      "convolutions and matmuls):",
      tint::apps::kStepFlopsPerForward);
  for (const auto& [key, f] : out["forward_flops"].items())
    std::printf(" %s %.2f GFLOP;", key.c_str(),
                tint::apps::kStepFlopsPerForward * f.get<double>() / 1e9);
  std::printf("\n");
  const json& rate = out["matmul_rate"];
  if (rate.contains("rates_tflops")) {
    std::printf("matmul rate (torch.matmul %lldx%lld, best of %lld, this invocation):",
                static_cast<long long>(rate["size"].get<int64_t>()),
                static_cast<long long>(rate["size"].get<int64_t>()),
                static_cast<long long>(rate["repeats"].get<int64_t>()));
    for (const auto& [precision, tflops] : rate["rates_tflops"].items())
      std::printf(" %s %.3f TFLOP/s;", precision.c_str(), tflops.get<double>());
    std::printf("\n");
  } else {
    std::printf("matmul rate: not measured (%s)\n",
                rate.value("error", std::string("--no-torch")).c_str());
  }
  if (gpu) {
    std::printf(
        "peak MB: each side's caching-allocator peak of allocated bytes over the timed "
        "steps (model, gradients, Adam state, activations, data)\n");
  } else {
    std::printf("peak MB: process max RSS (getrusage); before the model:");
    for (const json& row : out["rows"])
      if (row["status"] == "ok" && row["result"].contains("base_mb"))
        std::printf(
            " %s %s %s/%lld %.0f MB;", row["framework"].get<std::string>().c_str(),
            row["mode"].get<std::string>().c_str(),
            row["model"].get<std::string>().c_str(),
            static_cast<long long>(row["batch"].get<int64_t>()),
            row["result"]["base_mb"].get<double>());
    std::printf(" %d thread(s) each\n", threads);
  }
  for (const json& row : out["rows"])
    if (row["status"] == "ok" && !row["result"].value("batch_norm_fallbacks", json::array()).empty())
      std::printf("tint %s %s/%lld: batch norm fallbacks %s (cuDNN refused the input: "
                  "computed contiguous in float32; or declined its persistent NHWC kernels)\n",
                  row["mode"].get<std::string>().c_str(), row["model"].get<std::string>().c_str(),
                  static_cast<long long>(row["batch"].get<int64_t>()),
                  row["result"]["batch_norm_fallbacks"].dump().c_str());
  bool compiled = false;
  for (const json& row : out["rows"])
    if (row["status"] == "ok" && row["mode"] == "compiled") {
      if (!compiled) std::printf("compiled rows' first step (compiling included):");
      compiled = true;
      std::printf(" %s/%lld %.1f s;", row["model"].get<std::string>().c_str(),
                  static_cast<long long>(row["batch"].get<int64_t>()),
                  row["result"]["first_step_ms"].get<double>() / 1e3);
    }
  if (compiled) std::printf("\n");
  std::printf(
      "loss0: the first step's loss (per-image sum), each run from its own random "
      "initialisation on the same data\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Training throughput (images/s), peak memory and distance from the FLOP floor of the "
      "colorization networks: forward, rebalanced cross-entropy, backward and an Adam step, "
      "for seed and eccv16, against the same networks and loss in PyTorch "
      "(scripts/bench_pytorch.py: eager, channels_last_bf16, compiled) run in the same "
      "invocation. cpu defaults: batch 4, 64x64, width 0.25, torch eager; cuda: batches 32 "
      "and 64, 176x176, width 1, all three PyTorch modes."};
  Config c;
  c.threads = omp_get_num_procs();
  std::string json_path, python = "/usr/bin/python3", models_arg = "seed,eccv16", worker_model;
  std::string modes_arg, tint_modes_arg;
  std::vector<int64_t> batches_arg;
  double budget_s = 0;
  bool no_torch = false, no_tf32 = false;
  app.add_option("--device", c.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--models", models_arg, "comma-separated: seed, eccv16")->capture_default_str();
  namespace flags = tint::apps::flags;
  namespace limits = tint::apps::limits;
  auto* batches_opt =
      app.add_option("--batches", batches_arg, "comma-separated batch sizes (cpu 4, cuda 32,64)")
          ->delimiter(',')
          ->transform(flags::whole_number(limits::kBatch));
  auto* batch_opt = app.add_option("--batch", c.batch, "one batch size (as --batches N)")
                        ->transform(flags::whole_number(limits::kBatch));
  auto* modes_opt = app.add_option("--torch-modes", modes_arg,
                                   "comma-separated PyTorch modes: eager, channels_last_bf16, "
                                   "compiled (cpu eager; cuda all three)");
  auto* tint_modes_opt = app.add_option(
      "--tint-modes", tint_modes_arg,
      "comma-separated tint modes: fp32 (TF32 convolutions on a GPU) or bf16 (bfloat16 mixed "
      "precision), then optionally _nhwc (channels_last layout), then _graph (the step "
      "replayed from CUDA graphs, GPU only) (cpu fp32; cuda fp32, bf16, bf16_nhwc, "
      "bf16_nhwc_graph)");
  auto* size_opt =
      app.add_option("--size", c.size, "input height = width (cpu 64, cuda 176)")
          ->transform(flags::whole_number(limits::kImageSize));
  auto* width_opt = app.add_option("--width", c.width, "channel multiplier (cpu 0.25, cuda 1)")
                        ->transform(flags::real_number(limits::kColorizerWidth));
  auto* warmup_opt = app.add_option("--warmup", c.warmup, "untimed steps first (cpu 3, cuda 5)")
                         ->transform(flags::whole_number({0, 1'000'000}));
  auto* steps_opt = app.add_option("--steps", c.steps, "timed steps (cpu 30, cuda 20)")
                        ->transform(flags::whole_number({1, 1'000'000}));
  app.add_flag("--plain", c.plain,
               "tint with every nn switch off: no bias+ReLU fusion on the GPU (the default "
               "fuses there, framework/nn/settings.h)");
  CLI::Option* profile_steps_option = app.add_option("--profile-steps", c.profile_steps,
                 "after the timed steps, this many more with tint's op profile on "
                 "(framework/ops/op_profile.h): each tint row's slowest ops are printed; "
                 "neither timed nor in the peak memory")
      ->transform(flags::whole_number({0, 1'000'000}))
      ->capture_default_str();
  app.add_flag("--profile-torch", c.profile_torch,
               "PyTorch's runs take the --profile-steps too, under torch.profiler (each "
               "operator's self GPU time, CUPTI; a few seconds more per run)")
      ->needs(profile_steps_option);
  app.add_option("--loss", c.loss,
                 "subsampled: the loss at the logits' H/4 grid (Zhang's); full: at the input's "
                 "resolution (the report's)")
      ->check(CLI::IsMember({"subsampled", "full"}))
      ->capture_default_str();
  app.add_option("--threads", c.threads,
                 "cpu threads for both (OpenMP, torch.set_num_threads; default: all cores)")
      ->transform(flags::whole_number({1, 1024}));
  app.add_flag("--cudnn-benchmark", c.cudnn_benchmark,
               "cuda: cudnnFind per shape on both sides (tint::cuda::settings().benchmark, "
               "torch.backends.cudnn.benchmark); off: cuDNN's heuristics on both");
  app.add_flag("--no-tf32", no_tf32, "cuda: full float32 convolutions on both sides");
  app.add_option("--budget", budget_s,
                 "seconds for the whole sweep (0: no limit); runs that no longer fit are "
                 "skipped or stopped and listed as such")
      ->transform(flags::real_number({0, 1e7, false, false}));
  app.add_option("--json", json_path, "also write every number (every row) as JSON here");
  auto* python_opt = app.add_option("--python", python,
                                    "the Python with torch (default /usr/bin/python3 on the "
                                    "cpu, python3 from PATH on cuda)");
  app.add_flag("--no-torch", no_torch, "time tint only (no floor: the rate comes from torch)");
  app.add_option("--worker", worker_model, "(internal) run one model in this process")->group("");
  app.add_option("--data", c.data, "(internal) the data file")->group("");
  app.add_option("--tint-mode", c.tint_mode, "(internal) the worker's tint mode")
      ->check(CLI::IsMember(kTintModes))
      ->group("");
  flags::one_line_errors(app, "bench_train");
  CLI11_PARSE(app, argc, argv);

  c.tf32 = !no_tf32;
  const bool gpu = c.device != "cpu";
  if (gpu) {
    if (!batch_opt->count()) c.batch = 32;
    c.batches = {32, 64};
    c.torch_modes = kTorchModes;
    c.tint_modes = kGpuTintModes;
    if (!size_opt->count()) c.size = 176;
    if (!width_opt->count()) c.width = 1.0;
    if (!warmup_opt->count()) c.warmup = 5;
    if (!steps_opt->count()) c.steps = 20;
    if (!python_opt->count()) python = "python3";
  }
  try {
    if (!worker_model.empty()) return run_worker(c, worker_model);

    if (batch_opt->count()) c.batches = {c.batch};
    if (batches_opt->count()) c.batches = batches_arg;  // each checked by its validator
    if (modes_opt->count()) {
      c.torch_modes = split_list(modes_arg);
      for (const std::string& m : c.torch_modes)
        if (std::find(kTorchModes.begin(), kTorchModes.end(), m) == kTorchModes.end())
          throw std::runtime_error("--torch-modes: unknown mode '" + m +
                                   "' (eager, channels_last_bf16, compiled)");
    }
    if (tint_modes_opt->count()) {
      c.tint_modes = split_list(tint_modes_arg);
      if (c.tint_modes.empty()) throw std::runtime_error("--tint-modes: no mode given");
    }
    for (const std::string& m : c.tint_modes)  // unknown modes fail here too
      if (!gpu && parse_tint_mode(m).graph)
        throw std::runtime_error("--tint-modes " + m +
                                 ": CUDA graphs need a GPU (--device cuda)");
    c.models.clear();
    for (const std::string& m : split_list(models_arg)) {
      const auto names = tint::models::model_names();
      if (std::find(names.begin(), names.end(), m) == names.end())
        throw std::runtime_error("--models: unknown model '" + m + "' (seed, eccv16)");
      c.models.push_back(m);
    }
    const tint::Device device = parse_device(c.device);
    const std::string device_name = gpu ? tint::cuda::device_name(device.index) : "cpu";
    const fs::path script = fs::path(TINT_SOURCE_DIR) / "scripts" / "bench_pytorch.py";
    const Budget budget(budget_s);
    if (!no_torch) {  // fail before the tint runs, not after
      if (!fs::exists(script))
        throw std::runtime_error("cannot find " + script.string() + " (run with --no-torch)");
      run_child(shell_quote(python) + " " + shell_quote(script.string()) + " --check" +
                    (gpu ? " --device cuda" : ""),
                "the PyTorch check", budget.limited() ? std::min(120.0, budget.left()) : 0);
    }

    const fs::path tmp =
        fs::temp_directory_path() / ("tint_bench_train_" + std::to_string(getpid()));
    fs::create_directories(tmp);
    struct Cleanup {
      fs::path p;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(p, ec);
      }
    } cleanup{tmp};
    std::map<int64_t, std::string> data;  // per batch size
    for (int64_t batch : c.batches) {
      data[batch] = (tmp / ("data_" + std::to_string(batch) + ".bin")).string();
      write_data(data[batch], batch, c.size);
    }

    std::vector<std::string> batch_names;
    for (int64_t b : c.batches) batch_names.push_back(std::to_string(b));
    char head[640];
    std::snprintf(head, sizeof head,
                  "training step (forward, rebalanced cross-entropy %s, backward, Adam) on %s "
                  "(%s), %s %s, %lldx%lld, width %g, tint %s%s, PyTorch %s, %d warmup "
                  "+ %d timed steps, images/s of the median step",
                  c.loss == "full" ? "Full" : "Subsampled", c.device.c_str(), device_name.c_str(),
                  c.batches.size() > 1 ? "batches" : "batch", join(batch_names, ", ").c_str(),
                  static_cast<long long>(c.size), static_cast<long long>(c.size), c.width,
                  join(c.tint_modes, ", ").c_str(),
                  gpu && c.tf32 ? " (fp32: TF32 convolutions)" : "",
                  no_torch ? "not run" : join(c.torch_modes, ", ").c_str(), c.warmup, c.steps);
    std::cerr << "bench_train: " << head << "\n";

    const std::vector<Run> runs = plan_runs(c, gpu, no_torch);
    json out = {{"date", today()},
                {"device", c.device},
                {"device_name", device_name},
                {"batches", c.batches},
                {"size", c.size},
                {"width", c.width},
                {"warmup", c.warmup},
                {"steps", c.steps},
                {"loss", c.loss},
                {"threads", c.threads},
                {"tf32", gpu && c.tf32},
                {"cudnn_benchmark", gpu && c.cudnn_benchmark},
                {"tint_plain", c.plain},
                {"tint_modes", c.tint_modes},
                {"torch_modes", no_torch ? std::vector<std::string>{} : c.torch_modes},
                {"budget_s", budget_s},
                {"tint_cudnn_version", gpu ? tint::cuda::cudnn_version() : 0},
                {"memory", gpu ? "peak allocated bytes of each side's caching allocator over "
                                 "the timed steps"
                               : "process max RSS (getrusage), one process per run"},
                {"step_flops_per_forward", tint::apps::kStepFlopsPerForward},
                {"matmul_rate", json::object()},
                {"rows", json::array()}};
    if (!no_torch) {
      std::vector<std::string> precisions;
      for (const Run& run : runs)
        if (std::find(precisions.begin(), precisions.end(), run.precision) == precisions.end())
          precisions.push_back(run.precision);
      out["matmul_rate"] = measure_matmul_rate(python, script, c, precisions, budget);
    }
    for (const Run& run : runs)
      out["rows"].push_back(
          make_row(run, run_command(c, run, data[run.batch], python, script, tmp), budget));

    json flops_checks = json::object();
    out["forward_flops"] = forward_flops_of(out["rows"], flops_checks);
    out["forward_flops_check"] = flops_checks;
    tint::apps::add_derived_columns(out["rows"], out["forward_flops"],
                                    out["matmul_rate"].value("rates_tflops", json::object()));
    int failed = 0;
    for (const json& row : out["rows"]) {
      failed += row["status"] == "failed";
      if (row["status"] != "ok" || row["framework"] != "torch") continue;
      for (const json& t : out["rows"])
        if (t["status"] == "ok" && t["framework"] == "tint" && t["model"] == row["model"] &&
            t["batch"] == row["batch"] && t["params"] != row["params"])
          std::cerr << "bench_train: warning: " << row["model"] << " has " << t["params"]
                    << " trainable parameters in tint but " << row["params"] << " in PyTorch\n";
    }

    std::printf("%s\n", head);
    tint::apps::print_train_table(out["rows"]);
    print_notes(out, gpu, c.threads);
    const auto verdict = [&](const tint::apps::TrainTarget& target) {
      return no_torch ? std::string("not measured (no PyTorch run)")
             : !gpu   ? std::string("a GPU target (this is a cpu run)")
                      : tint::apps::train_target_verdict(out["rows"], target);
    };
    out["targets"] = json::object();
    for (const auto& [what, target] : tint::apps::train_targets())
      out["targets"][what] = verdict(target);
    print_profiles(out["rows"], 15);
    std::printf("targets (GPU):");
    for (const auto& [what, target] : tint::apps::train_targets())
      std::printf(" %s: %s;", what.c_str(), out["targets"][what].get<std::string>().c_str());
    std::printf("\n");
    if (!json_path.empty()) {
      std::ofstream f(json_path);
      if (!(f << out.dump(2) << "\n")) throw std::runtime_error("could not write " + json_path);
    }
    if (failed > 0) {
      std::cerr << "bench_train: " << failed << " run(s) failed; the table says why\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_train: " << tint::apps::user_message(e.what()) << "\n";
    return 1;
  }
}
