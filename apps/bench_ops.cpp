// bench_ops: times forward + backward of tint's cpu conv2d on the 3x3 layers of the eccv16
// colorization network, scaled down to fit a CPU, then runs scripts/bench_ops_torch.py in the
// same invocation on the same shapes, thread count and repeats, and prints both side by side.
// Each layer's input resolution follows the network's strides (1, 1/2, 1/4, 1/8 of --size);
// channels are eccv16's times --width. The first layer's input (the L image) needs no
// gradient, every other layer's does, as in training. Numbers are medians over --repeats
// after --warmup untimed runs. See docs/performance.md for recorded results.
#include <omp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "framework/tint.h"

namespace {

struct Layer {
  std::string name;
  int64_t c_in, c_out;
  int64_t resolution_div;  // input size = --size / resolution_div
  int64_t stride, padding, dilation;
};

// eccv16's 3x3 convolutions at full width (deconvolution and 1x1 layers left out).
const std::vector<Layer> kEccv16Layers = {
    {"model1.0", 1, 64, 1, 1, 1, 1},    {"model1.2", 64, 64, 1, 2, 1, 1},
    {"model2.0", 64, 128, 2, 1, 1, 1},  {"model2.2", 128, 128, 2, 2, 1, 1},
    {"model3.0", 128, 256, 4, 1, 1, 1}, {"model3.2", 256, 256, 4, 1, 1, 1},
    {"model3.4", 256, 256, 4, 2, 1, 1}, {"model4.0", 256, 512, 8, 1, 1, 1},
    {"model4.2", 512, 512, 8, 1, 1, 1}, {"model5.0", 512, 512, 8, 1, 2, 2},
};

struct Shape4 {
  std::string name;
  int64_t batch, c_in, c_out, size, stride, padding, dilation;
  bool input_grad;
  std::string str() const {
    std::ostringstream os;
    os << batch << "x" << c_in << "x" << size << "x" << size << " -> " << c_out;
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

double time_tint(const Shape4& s, int warmup, int repeats) {
  using namespace tint;
  Generator gen(42);
  Tensor x = randn({s.batch, s.c_in, s.size, s.size}, gen);
  if (s.input_grad) x.set_requires_grad();
  Tensor w = randn({s.c_out, s.c_in, 3, 3}, gen, {}, 0.0, 0.1).set_requires_grad();
  Tensor b = zeros({s.c_out}).set_requires_grad();
  const Conv2dOptions options{s.stride, s.padding, s.dilation};
  const int64_t out = conv_output_size(s.size, 3, s.stride, s.padding, s.dilation);
  const Tensor grad_out = randn({s.batch, s.c_out, out, out}, gen);
  std::vector<double> ms;
  for (int i = 0; i < warmup + repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    Tensor y = conv2d(x, w, b, options);
    y.backward(grad_out);
    const auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    x.zero_grad(), w.zero_grad(), b.zero_grad();
  }
  return median(ms);
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string layers_json(const std::vector<Shape4>& shapes, int threads, int warmup, int repeats) {
  std::ostringstream os;
  os << "{\"threads\": " << threads << ", \"warmup\": " << warmup << ", \"repeats\": " << repeats
     << ", \"layers\": [";
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape4& s = shapes[i];
    os << (i ? ", " : "") << "{\"name\": \"" << s.name << "\", \"batch\": " << s.batch
       << ", \"c_in\": " << s.c_in << ", \"c_out\": " << s.c_out << ", \"size\": " << s.size
       << ", \"kernel\": 3, \"stride\": " << s.stride << ", \"padding\": " << s.padding
       << ", \"dilation\": " << s.dilation
       << ", \"input_grad\": " << (s.input_grad ? "true" : "false") << "}";
  }
  os << "]}";
  return os.str();
}

std::filesystem::path torch_script() {
  return std::filesystem::path(TINT_SOURCE_DIR) / "scripts" / "bench_ops_torch.py";
}

// Runs the PyTorch twin with args; stdout lines go to on_line. Throws one clear sentence
// when the script, the Python or torch is missing, or the script fails.
template <typename OnLine>
void run_torch_script(const std::string& python, const std::string& args, OnLine on_line) {
  const std::filesystem::path script = torch_script();
  if (!std::filesystem::exists(script))
    throw std::runtime_error("cannot find " + script.string() +
                             " (from TINT_SOURCE_DIR); run with --no-torch to skip PyTorch");
  const std::string cmd = shell_quote(python) + " " + shell_quote(script.string()) + " " + args;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("could not start " + python);
  char line[512];
  while (std::fgets(line, sizeof line, pipe)) on_line(std::string(line));
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 3)
    throw std::runtime_error("PyTorch is not importable by " + python +
                             " (install python3-torch, or run with --no-torch)");
  if (code == 127) throw std::runtime_error(python + " was not found (or pass --no-torch)");
  if (code != 0)
    throw std::runtime_error("the PyTorch benchmark (" + cmd + ") failed with exit code " +
                             std::to_string(code));
}

// Times every layer in PyTorch; returns ms per layer name.
std::map<std::string, double> run_torch(const std::string& python,
                                        const std::vector<Shape4>& shapes, int threads, int warmup,
                                        int repeats) {
  const std::filesystem::path config = std::filesystem::temp_directory_path() /
                                       ("tint_bench_ops_" + std::to_string(getpid()) + ".json");
  std::ofstream(config) << layers_json(shapes, threads, warmup, repeats) << "\n";
  std::map<std::string, double> result;
  try {
    run_torch_script(python, shell_quote(config.string()), [&](const std::string& line) {
      std::istringstream is(line);
      std::string tag, name;
      double ms = 0;
      if (is >> tag >> name >> ms && tag == "layer") result[name] = ms;
    });
  } catch (...) {
    std::filesystem::remove(config);
    throw;
  }
  std::filesystem::remove(config);
  if (result.size() != shapes.size())
    throw std::runtime_error("the PyTorch benchmark reported " + std::to_string(result.size()) +
                             " of " + std::to_string(shapes.size()) + " layers");
  return result;
}

std::string today() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::localtime(&t));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Times tint's cpu conv2d (forward + backward) on eccv16's 3x3 layers, scaled "
      "down, against PyTorch on the same shapes and threads."};
  int threads = omp_get_num_procs(), repeats = 50, warmup = 5;
  int64_t batch = 4, size = 64;
  double width = 0.25;
  std::string out_json, python = "/usr/bin/python3";
  bool no_torch = false;
  app.add_option("--threads", threads,
                 "OpenMP threads for tint, torch.set_num_threads for "
                 "PyTorch (default: all cores)")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "timed runs per layer (median reported)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--warmup", warmup, "untimed runs per layer first")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--batch", batch, "samples per batch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--size", size, "input height = width of the first layer (multiple of 8)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--width", width, "channel multiplier on eccv16's channel counts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--out-json", out_json, "also write the results as JSON to this path");
  app.add_option("--python", python, "the Python with torch")->capture_default_str();
  app.add_flag("--no-torch", no_torch, "time tint only");
  CLI11_PARSE(app, argc, argv);
  if (size % 8 != 0) {
    std::cerr << "bench_ops: --size " << size << " must be a multiple of 8 (the network "
              << "halves it three times)\n";
    return 1;
  }

  std::vector<Shape4> shapes;
  for (const Layer& l : kEccv16Layers) {
    const auto scale = [&](int64_t c) {
      return c == 1 ? int64_t{1} : std::max<int64_t>(1, std::llround(c * width));
    };
    shapes.push_back({l.name, batch, scale(l.c_in), scale(l.c_out), size / l.resolution_div,
                      l.stride, l.padding, l.dilation, l.c_in != 1});
  }

  if (!no_torch) {  // fail before the tint runs, not after
    try {
      run_torch_script(python, "--check", [](const std::string&) {});
    } catch (const std::exception& e) {
      std::cerr << "bench_ops: " << e.what() << "\n";
      return 1;
    }
  }

  omp_set_num_threads(threads);
  std::cerr << "bench_ops: " << threads << " thread(s), batch " << batch << ", size " << size
            << ", width " << width << ", " << warmup << " warmup + " << repeats
            << " timed runs per layer, float32\n";
  std::vector<double> tint_ms;
  try {
    for (const Shape4& s : shapes) {
      tint_ms.push_back(time_tint(s, warmup, repeats));
      std::fprintf(stderr, "  tint  %-9s %-24s %8.3f ms\n", s.name.c_str(), s.str().c_str(),
                   tint_ms.back());
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_ops: " << e.what() << "\n";
    return 1;
  }
  std::map<std::string, double> torch_ms;
  if (!no_torch) {
    std::cerr << "bench_ops: running " << python << " scripts/bench_ops_torch.py\n";
    try {
      torch_ms = run_torch(python, shapes, threads, warmup, repeats);
    } catch (const std::exception& e) {
      std::cerr << "bench_ops: " << e.what() << "\n";
      return 1;
    }
  }

  std::printf("conv2d 3x3 forward+backward, float32, median ms over %d runs, %d thread(s)\n",
              repeats, threads);
  std::printf("%-9s %-24s %9s %9s %10s\n", "layer", "shape", "tint ms", "torch ms", "tint/torch");
  double total_tint = 0, total_torch = 0;
  std::ostringstream json;
  json << "{\n  \"date\": \"" << today() << "\", \"threads\": " << threads
       << ", \"batch\": " << batch << ", \"size\": " << size << ", \"width\": " << width
       << ", \"repeats\": " << repeats << ", \"warmup\": " << warmup << ",\n  \"layers\": [\n";
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape4& s = shapes[i];
    total_tint += tint_ms[i];
    json << "    {\"name\": \"" << s.name << "\", \"shape\": \"" << s.str()
         << "\", \"tint_ms\": " << tint_ms[i];
    if (no_torch) {
      std::printf("%-9s %-24s %9.3f %9s %10s\n", s.name.c_str(), s.str().c_str(), tint_ms[i], "-",
                  "-");
    } else {
      const double t = torch_ms.at(s.name);
      total_torch += t;
      std::printf("%-9s %-24s %9.3f %9.3f %10.2f\n", s.name.c_str(), s.str().c_str(), tint_ms[i], t,
                  tint_ms[i] / t);
      json << ", \"torch_ms\": " << t << ", \"ratio\": " << tint_ms[i] / t;
    }
    json << "}" << (i + 1 < shapes.size() ? "," : "") << "\n";
  }
  json << "  ],\n  \"total_tint_ms\": " << total_tint;
  if (no_torch) {
    std::printf("%-9s %-24s %9.3f %9s %10s\n", "total", "", total_tint, "-", "-");
  } else {
    std::printf("%-9s %-24s %9.3f %9.3f %10.2f\n", "total", "", total_tint, total_torch,
                total_tint / total_torch);
    json << ", \"total_torch_ms\": " << total_torch
         << ", \"total_ratio\": " << total_tint / total_torch;
  }
  json << "\n}\n";
  if (!out_json.empty()) {
    std::ofstream f(out_json);
    if (!(f << json.str())) {
      std::cerr << "bench_ops: could not write " << out_json << "\n";
      return 1;
    }
  }
  return 0;
}
