// bench_ops: times forward + backward of tint's convolutions on the layers of the eccv16
// colorization network against PyTorch on the same shapes, in the same invocation (it runs
// scripts/bench_ops_torch.py after its own runs), and prints both side by side.
//   --device cpu (default), --preset small: the 3x3 layers scaled down to fit a CPU, tint's
//     OpenMP threads against torch.set_num_threads, as before.
//   --device cuda, --preset eccv16: every convolution of the full network (3x3, the dilated
//     ones, the 4x4 stride-2 deconvolution, the 1x1 head) at batch 32, 176x176, float32 with
//     TF32 on for convolutions (tint::cuda::settings().allow_tf32 and
//     torch.backends.cudnn.allow_tf32), --cudnn-benchmark setting both sides' cudnnFind.
//   --precision bf16_nhwc: the convolutions as the mixed-precision channels_last training
//     mode runs them: input, weight, bias and output gradient in bfloat16, the input,
//     weight and gradient channels_last, conv2d asked for channels_last (on both sides:
//     PyTorch's tensors .to(torch.bfloat16, memory_format=torch.channels_last)).
// Each layer's input resolution follows the network's strides (1, 1/2, 1/4, 1/8 of --size);
// channels are eccv16's times --width. The first layer's input (the L image) needs no
// gradient, every other layer's does, as in training. Numbers are medians over --repeats
// after --warmup untimed runs; on the GPU each timed run starts and ends with a device
// synchronize. See docs/performance.md for recorded results.
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "child_result.h"
#include "flag_checks.h"
#include "framework/cuda/runtime.h"
#include "framework/cuda/settings.h"
#include "framework/memory/device_memory.h"
#include "framework/tint.h"
#include "setting_limits.h"

namespace {

using tint::apps::run_child_lines;
using tint::apps::shell_quote;

struct Layer {
  std::string name;
  int64_t c_in, c_out;
  int64_t resolution_div;  // input size = --size / resolution_div
  int64_t stride, padding, dilation;
  int64_t kernel = 3;
  bool transposed = false;
  std::vector<std::string> same_shape = {};  // later layers with this exact shape
};

// preset "small": eccv16's 3x3 convolutions at full width (deconvolution and 1x1 layers left
// out, each shape once), to be scaled down by --width for a CPU.
const std::vector<Layer> kSmallLayers = {
    {"model1.0", 1, 64, 1, 1, 1, 1},    {"model1.2", 64, 64, 1, 2, 1, 1},
    {"model2.0", 64, 128, 2, 1, 1, 1},  {"model2.2", 128, 128, 2, 2, 1, 1},
    {"model3.0", 128, 256, 4, 1, 1, 1}, {"model3.2", 256, 256, 4, 1, 1, 1},
    {"model3.4", 256, 256, 4, 2, 1, 1}, {"model4.0", 256, 512, 8, 1, 1, 1},
    {"model4.2", 512, 512, 8, 1, 1, 1}, {"model5.0", 512, 512, 8, 1, 2, 2},
};

// preset "eccv16": every convolution of the network (23), bias on all of them as in the
// original. Layers of identical shape are timed once, at their first occurrence, and
// counted once per occurrence in the total.
const std::vector<Layer> kEccv16Layers = {
    {"model1.0", 1, 64, 1, 1, 1, 1},
    {"model1.2", 64, 64, 1, 2, 1, 1},
    {"model2.0", 64, 128, 2, 1, 1, 1},
    {"model2.2", 128, 128, 2, 2, 1, 1},
    {"model3.0", 128, 256, 4, 1, 1, 1},
    {"model3.2", 256, 256, 4, 1, 1, 1, 3, false, {"model8.2", "model8.4"}},
    {"model3.4", 256, 256, 4, 2, 1, 1},
    {"model4.0", 256, 512, 8, 1, 1, 1},
    {"model4.2", 512, 512, 8, 1, 1, 1, 3, false,
     {"model4.4", "model7.0", "model7.2", "model7.4"}},
    {"model5.0", 512, 512, 8, 1, 2, 2, 3, false,
     {"model5.2", "model5.4", "model6.0", "model6.2", "model6.4"}},
    {"model8.0", 512, 256, 8, 2, 1, 1, 4, true},  // ConvTranspose2d 4x4 s2 p1: 22 -> 44
    {"model8.6", 256, 313, 4, 1, 0, 1, 1},        // the 1x1 head onto the 313 ab bins
};

struct Shape4 {
  std::string name;
  int64_t batch, c_in, c_out, size, stride, padding, dilation;
  bool input_grad;
  int64_t kernel = 3;
  bool transposed = false;
  std::vector<std::string> same_shape = {};
  int64_t count() const { return 1 + static_cast<int64_t>(same_shape.size()); }
  int64_t out_size() const {
    return transposed ? tint::conv_transpose_output_size(size, kernel, stride, padding, 0, dilation)
                      : tint::conv_output_size(size, kernel, stride, padding, dilation);
  }
  std::string str() const {
    std::ostringstream os;
    if (transposed) os << "deconv ";
    os << batch << "x" << c_in << "x" << size << "x" << size << " -> " << c_out;
    if (kernel != 3) os << " k" << kernel;
    if (stride != 1) os << " s" << stride;
    if (dilation != 1) os << " d" << dilation;
    return os.str();
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Normal(0, std) values. On the cpu exactly as always (tint::randn); on a GPU a pool of about
// a million randn values repeated to fill the tensor, then copied over: drawing the ~440M
// values of the full-size preset one by one on the host would take longer than timing it,
// and a conv's speed does not depend on the values.
tint::Tensor random_tensor(const tint::Shape& shape, tint::Generator& gen, tint::Device device,
                           double std = 1.0) {
  using namespace tint;
  if (device.is_cpu()) return randn(shape, gen, {}, 0.0, std);
  const int64_t n = shape_numel(shape);
  const int64_t pool_n = std::min<int64_t>(n, 1000003);
  const Tensor pool = randn({pool_n}, gen, {}, 0.0, std);
  std::vector<float> host(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i += pool_n)
    std::copy_n(pool.data<float>(), std::min(pool_n, n - i), host.data() + i);
  return from_buffer(host.data(), shape, DType::Float32, device);
}

// bf16_nhwc: every tensor bfloat16 and the 4-D ones channels_last (a leaf in that form).
double time_tint(const Shape4& s, tint::Device device, int warmup, int repeats,
                 bool bf16_nhwc) {
  using namespace tint;
  const bool gpu = device.is_cuda();
  const TensorOptions on{DType::Float32, device, false};
  const auto as_run = [&](const Tensor& t) {
    if (!bf16_nhwc) return t;
    return (t.dim() == 4 ? cast_channels_last(t, DType::BFloat16) : t.to(DType::BFloat16))
        .detach();
  };
  Generator gen(42);
  Tensor x = as_run(random_tensor({s.batch, s.c_in, s.size, s.size}, gen, device));
  if (s.input_grad) x.set_requires_grad();
  const Shape w_shape = s.transposed ? Shape{s.c_in, s.c_out, s.kernel, s.kernel}
                                     : Shape{s.c_out, s.c_in, s.kernel, s.kernel};
  Tensor w = as_run(random_tensor(w_shape, gen, device, 0.1)).set_requires_grad();
  Tensor b = as_run(zeros({s.c_out}, on)).set_requires_grad();
  const Conv2dOptions options{s.stride, s.padding, s.dilation, bf16_nhwc};
  const ConvTranspose2dOptions t_options{s.stride, s.padding, 0, s.dilation, bf16_nhwc};
  const int64_t out = s.out_size();
  const Tensor grad_out = as_run(random_tensor({s.batch, s.c_out, out, out}, gen, device));
  std::vector<double> ms;
  for (int i = 0; i < warmup + repeats; ++i) {
    if (gpu) cuda::synchronize(device.index);  // start from an idle device
    const auto t0 = std::chrono::steady_clock::now();
    Tensor y = s.transposed ? conv_transpose2d(x, w, b, t_options) : conv2d(x, w, b, options);
    y.backward(grad_out);
    if (gpu) cuda::synchronize(device.index);  // the kernels have run, not just been queued
    const auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    x.zero_grad(), w.zero_grad(), b.zero_grad();
  }
  return median(ms);
}

struct RunConfig {
  std::string device = "cpu";
  int threads = 1, warmup = 5, repeats = 50;
  bool tf32 = true, cudnn_benchmark = false;
  std::string precision = "fp32";  // or bf16_nhwc
};

std::string layers_json(const std::vector<Shape4>& shapes, const RunConfig& c) {
  nlohmann::json js = {{"device", c.device},   {"threads", c.threads},
                       {"warmup", c.warmup},   {"repeats", c.repeats},
                       {"tf32", c.tf32},       {"cudnn_benchmark", c.cudnn_benchmark},
                       {"precision", c.precision},
                       {"layers", nlohmann::json::array()}};
  for (const Shape4& s : shapes)
    js["layers"].push_back({{"name", s.name}, {"batch", s.batch}, {"c_in", s.c_in},
                            {"c_out", s.c_out}, {"size", s.size}, {"kernel", s.kernel},
                            {"stride", s.stride}, {"padding", s.padding},
                            {"dilation", s.dilation}, {"transposed", s.transposed},
                            {"input_grad", s.input_grad}});
  return js.dump();
}

std::filesystem::path torch_script() {
  return std::filesystem::path(TINT_SOURCE_DIR) / "scripts" / "bench_ops_torch.py";
}

// Runs the PyTorch twin with args; stdout lines go to on_line. Throws one clear sentence
// when the script, the Python, torch or (for cuda) torch's GPU is missing, or the script
// fails (apps/support/child_result.h).
void run_torch_script(const std::string& python, const std::string& args,
                      const std::function<void(const std::string&)>& on_line) {
  const std::filesystem::path script = torch_script();
  if (!std::filesystem::exists(script))
    throw std::runtime_error("cannot find " + script.string() +
                             " (from TINT_SOURCE_DIR); run with --no-torch to skip PyTorch");
  const std::string cmd = shell_quote(python) + " " + shell_quote(script.string()) + " " + args;
  run_child_lines(cmd, "the PyTorch benchmark under " + python, 0, on_line);
}

struct TorchResult {
  std::map<std::string, double> ms;            // per layer name
  std::map<std::string, std::string> info;     // torch_version, cudnn_version, device_name
};

// Times every layer in PyTorch.
TorchResult run_torch(const std::string& python, const std::vector<Shape4>& shapes,
                      const RunConfig& config) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("tint_bench_ops_" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << layers_json(shapes, config) << "\n";
  TorchResult result;
  try {
    run_torch_script(python, shell_quote(path.string()), [&](const std::string& line) {
      std::istringstream is(line);
      std::string tag, name;
      double ms = 0;
      if (!(is >> tag >> name)) return;
      if (tag == "layer" && is >> ms) result.ms[name] = ms;
      if (tag == "info") {
        std::string value;
        std::getline(is >> std::ws, value);
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
        result.info[name] = value;
      }
    });
  } catch (...) {
    std::filesystem::remove(path);
    throw;
  }
  std::filesystem::remove(path);
  if (result.ms.size() != shapes.size())
    throw std::runtime_error("the PyTorch benchmark reported " + std::to_string(result.ms.size()) +
                             " of " + std::to_string(shapes.size()) + " layers");
  return result;
}

std::string today() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::localtime(&t));
  return buf;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? sep : "") + parts[i];
  return s;
}

constexpr double kGpuTarget = 1.1;  // tint's total within 1.1x of PyTorch's

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Times tint's conv2d / conv_transpose2d (forward + backward) on eccv16's layers against "
      "PyTorch on the same shapes: on the cpu (default: the 3x3 layers scaled down, same "
      "threads) or on a CUDA device (--device cuda: the full network, batch 32, 176x176)."};
  int threads = omp_get_num_procs(), repeats = 50, warmup = 5;
  int64_t batch = 4, size = 64;
  double width = 0.25;
  std::string out_json, python = "/usr/bin/python3", device_name = "cpu", preset;
  bool no_torch = false, cudnn_benchmark = false;
  std::string precision = "fp32";
  app.add_option("--device", device_name, "cpu, or cuda (cuda:N for another GPU)")
      ->capture_default_str();
  app.add_option("--precision", precision,
                 "fp32 (TF32 convolutions on cuda), or bf16_nhwc: bfloat16 tensors, "
                 "channels_last, as the mixed-precision training mode runs the convolutions")
      ->check(CLI::IsMember({"fp32", "bf16_nhwc"}))
      ->capture_default_str();
  app.add_option("--preset", preset,
                 "layer set: small (eccv16's 3x3 layers once each; --batch 4 --size 64 "
                 "--width 0.25 unless given) or eccv16 (all 23 convolutions; --batch 32 "
                 "--size 176 --width 1 unless given). Default: small on the cpu, eccv16 "
                 "on cuda")
      ->check(CLI::IsMember({"small", "eccv16"}));
  namespace flags = tint::apps::flags;
  app.add_option("--threads", threads,
                 "OpenMP threads for tint, torch.set_num_threads for "
                 "PyTorch (default: all cores)")
      ->transform(flags::whole_number({1, 1024}));
  app.add_option("--repeats", repeats, "timed runs per layer (median reported)")
      ->transform(flags::whole_number({1, 1'000'000}))
      ->capture_default_str();
  auto* warmup_opt = app.add_option("--warmup", warmup,
                                    "untimed runs per layer first (default 5; 10 on cuda)")
                         ->transform(flags::whole_number({0, 1'000'000}));
  auto* batch_opt = app.add_option("--batch", batch, "samples per batch (preset's default)")
                        ->transform(flags::whole_number(tint::apps::limits::kBatch));
  auto* size_opt = app.add_option("--size", size,
                                  "input height = width of the first layer (preset's default)")
                       ->transform(flags::whole_number(tint::apps::limits::kImageSize));
  auto* width_opt = app.add_option("--width", width,
                                   "channel multiplier on eccv16's channel counts (preset's "
                                   "default)")
                        ->transform(flags::real_number(tint::apps::limits::kColorizerWidth));
  app.add_option("--out-json", out_json, "also write the results (both sides) as JSON here");
  auto* python_opt = app.add_option("--python", python,
                                    "the Python with torch (default: /usr/bin/python3 on the "
                                    "cpu, python3 from PATH on cuda)");
  app.add_flag("--no-torch", no_torch, "time tint only");
  app.add_flag("--cudnn-benchmark", cudnn_benchmark,
               "cuda: let cuDNN time its algorithms per shape (tint::cuda::settings().benchmark "
               "and torch.backends.cudnn.benchmark); off: both use cuDNN's heuristics");
  flags::one_line_errors(app, "bench_ops");
  CLI11_PARSE(app, argc, argv);

  tint::Device device = tint::Device::cpu();
  if (device_name == "cuda") {
    device = tint::Device::cuda(0);
  } else if (device_name.rfind("cuda:", 0) == 0 && device_name.size() > 5 &&
             device_name.size() <= 9 &&
             device_name.find_first_not_of("0123456789", 5) == std::string::npos) {
    device = tint::Device::cuda(std::stoi(device_name.substr(5)));
  } else if (device_name != "cpu") {
    std::cerr << "bench_ops: --device " << device_name << " is not cpu, cuda or cuda:N\n";
    return 1;
  }
  const bool gpu = device.is_cuda();
  if (preset.empty()) preset = gpu ? "eccv16" : "small";
  if (preset == "eccv16") {
    if (!batch_opt->count()) batch = 32;
    if (!size_opt->count()) size = 176;
    if (!width_opt->count()) width = 1.0;
  }
  if (gpu && !warmup_opt->count()) warmup = 10;
  if (gpu && !python_opt->count()) python = "python3";
  if (gpu) {  // one clear sentence before anything is timed
    if (!tint::cuda::built_with_cuda()) {
      std::cerr << "bench_ops: this build of tint has no CUDA backend (configure with "
                   "-DTINT_CUDA=ON on a machine with the CUDA toolkit and cuDNN)\n";
      return 1;
    }
    if (device.index >= tint::cuda::device_count()) {
      std::cerr << "bench_ops: " << device.str() << " is not available: "
                << tint::cuda::device_count() << " CUDA device(s) visible to this process\n";
      return 1;
    }
  }

  const std::vector<Layer>& layers = preset == "eccv16" ? kEccv16Layers : kSmallLayers;
  std::vector<Shape4> shapes;
  for (const Layer& l : layers) {
    const auto scale = [&](int64_t c) {
      return c == 1 ? int64_t{1} : std::max<int64_t>(1, std::llround(c * width));
    };
    shapes.push_back({l.name, batch, scale(l.c_in), scale(l.c_out), size / l.resolution_div,
                      l.stride, l.padding, l.dilation, l.c_in != 1, l.kernel, l.transposed,
                      l.same_shape});
  }

  if (!no_torch) {  // fail before the tint runs, not after
    try {
      run_torch_script(python, gpu ? "--check --device cuda" : "--check",
                       [](const std::string&) {});
    } catch (const std::exception& e) {
      std::cerr << "bench_ops: " << e.what() << "\n";
      return 1;
    }
  }

  const RunConfig config{gpu ? "cuda:" + std::to_string(device.index) : "cpu", threads, warmup,
                         repeats, true, cudnn_benchmark, precision};
  const bool bf16_nhwc = precision == "bf16_nhwc";
  const std::string precision_label =
      bf16_nhwc ? "bfloat16 channels_last" : "float32";
  std::string gpu_name;
  if (gpu) {
    // PyTorch's defaults for float32 convolutions on cuDNN: TF32 tensor cores allowed for
    // convolutions, not for matmuls (tint's matmuls never use TF32).
    tint::cuda::settings().allow_tf32 = config.tf32;
    tint::cuda::settings().benchmark = cudnn_benchmark;
    tint::cuda::settings().deterministic = false;
    gpu_name = tint::cuda::device_name(device.index);
  }
  omp_set_num_threads(threads);
  if (gpu) {
    std::cerr << "bench_ops: " << config.device << " (" << gpu_name << "), cuDNN "
              << tint::cuda::cudnn_version() << ", preset " << preset << ", batch " << batch
              << ", size " << size << ", width " << width << ", " << warmup << " warmup + "
              << repeats << " timed runs per layer, " << precision_label << ", TF32 convolutions "
              << (config.tf32 ? "on" : "off") << ", cudnn benchmark "
              << (cudnn_benchmark ? "on" : "off") << "\n";
  } else {
    std::cerr << "bench_ops: " << threads << " thread(s), batch " << batch << ", size " << size
              << ", width " << width << ", " << warmup << " warmup + " << repeats
              << " timed runs per layer, " << precision_label << "\n";
  }
  // The small preset prints exactly the table it always printed; eccv16 adds the count of
  // layers each row stands for, and on cuda the target.
  const bool counted = preset == "eccv16";
  const int shape_w = counted ? 34 : 24;
  std::vector<double> tint_ms;
  try {
    for (const Shape4& s : shapes) {
      tint_ms.push_back(time_tint(s, device, warmup, repeats, bf16_nhwc));
      std::fprintf(stderr, "  tint  %-9s %-*s %8.3f ms\n", s.name.c_str(), shape_w,
                   s.str().c_str(), tint_ms.back());
    }
    if (gpu) tint::device_empty_cache(device);  // leave the GPU's memory to PyTorch
  } catch (const std::exception& e) {
    std::cerr << "bench_ops: " << e.what() << "\n";
    return 1;
  }
  TorchResult torch;
  if (!no_torch) {
    std::cerr << "bench_ops: running " << python << " scripts/bench_ops_torch.py\n";
    try {
      torch = run_torch(python, shapes, config);
    } catch (const std::exception& e) {
      std::cerr << "bench_ops: " << e.what() << "\n";
      return 1;
    }
  }

  int64_t convs = 0;
  for (const Shape4& s : shapes) convs += s.count();
  if (gpu) {
    std::printf("conv forward+backward on %s (%s), %s, TF32 convolutions %s, cudnn "
                "benchmark %s, median ms over %d runs (%d warmup)\n",
                config.device.c_str(), gpu_name.c_str(), precision_label.c_str(),
                config.tf32 ? "on" : "off",
                cudnn_benchmark ? "on" : "off", repeats, warmup);
  } else if (counted) {
    std::printf("conv forward+backward, %s, median ms over %d runs, %d thread(s)\n",
                precision_label.c_str(), repeats, threads);
  } else {
    std::printf("conv2d 3x3 forward+backward, %s, median ms over %d runs, %d thread(s)\n",
                precision_label.c_str(), repeats, threads);
  }
  if (counted)
    std::printf("%-9s %-*s %3s %9s %9s %10s\n", "layer", shape_w, "shape", "n", "tint ms",
                "torch ms", "tint/torch");
  else
    std::printf("%-9s %-*s %9s %9s %10s\n", "layer", shape_w, "shape", "tint ms", "torch ms",
                "tint/torch");
  double total_tint = 0, total_torch = 0;
  nlohmann::json json = {
      {"date", today()}, {"device", config.device}, {"device_name", gpu ? gpu_name : "cpu"},
      {"preset", preset}, {"threads", threads}, {"batch", batch}, {"size", size},
      {"width", width}, {"repeats", repeats}, {"warmup", warmup},
      {"tf32", gpu && config.tf32}, {"cudnn_benchmark", gpu && cudnn_benchmark},
      {"precision", precision},
      {"tint_cudnn_version", gpu ? tint::cuda::cudnn_version() : 0},
      {"timing", gpu ? "median of per-run wall time, device synchronized before and after "
                       "each run"
                     : "median of per-run wall time"},
      {"torch", torch.info},
      {"layers", nlohmann::json::array()}};
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape4& s = shapes[i];
    const double n = static_cast<double>(s.count());
    total_tint += n * tint_ms[i];
    nlohmann::json layer = {{"name", s.name},         {"shape", s.str()},
                            {"count", s.count()},     {"same_shape", s.same_shape},
                            {"tint_ms", tint_ms[i]}};
    std::printf("%-9s %-*s ", s.name.c_str(), shape_w, s.str().c_str());
    if (counted) std::printf("%3lld ", static_cast<long long>(s.count()));
    if (no_torch) {
      std::printf("%9.3f %9s %10s\n", tint_ms[i], "-", "-");
    } else {
      const double t = torch.ms.at(s.name);
      total_torch += n * t;
      std::printf("%9.3f %9.3f %10.2f\n", tint_ms[i], t, tint_ms[i] / t);
      layer["torch_ms"] = t;
      layer["ratio"] = tint_ms[i] / t;
    }
    json["layers"].push_back(layer);
  }
  json["total_convs"] = convs;
  json["total_tint_ms"] = total_tint;
  std::printf("%-9s %-*s ", "total", shape_w, "");
  if (counted) std::printf("%3lld ", static_cast<long long>(convs));
  if (no_torch) {
    std::printf("%9.3f %9s %10s\n", total_tint, "-", "-");
  } else {
    std::printf("%9.3f %9.3f %10.2f\n", total_tint, total_torch, total_tint / total_torch);
    json["total_torch_ms"] = total_torch;
    json["total_ratio"] = total_tint / total_torch;
  }
  if (counted) {
    std::vector<std::string> notes;
    for (const Shape4& s : shapes)
      if (!s.same_shape.empty()) notes.push_back(s.name + " = " + join(s.same_shape, ", "));
    std::printf("n: convolutions of that shape in the network (timed once; the total counts "
                "each): %s\n",
                join(notes, "; ").c_str());
  }
  if (gpu) {
    const double ratio = no_torch ? 0.0 : total_tint / total_torch;
    const char* verdict = no_torch ? "not measured (no PyTorch run)"
                          : ratio <= kGpuTarget ? "met" : "not met";
    if (no_torch)
      std::printf("target: total within %.1fx of PyTorch: %s\n", kGpuTarget, verdict);
    else
      std::printf("target: total within %.1fx of PyTorch: %s (%.2fx)\n", kGpuTarget, verdict,
                  ratio);
    json["target_ratio"] = kGpuTarget;
    json["target"] = verdict;
  }
  if (!out_json.empty()) {
    std::ofstream f(out_json);
    if (!(f << json.dump(2) << "\n")) {
      std::cerr << "bench_ops: could not write " << out_json << "\n";
      return 1;
    }
  }
  return 0;
}
