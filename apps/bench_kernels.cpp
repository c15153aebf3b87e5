// bench_kernels: times the colorization kernels of kernels/ (tint::color) on the cpu or a CUDA
// device: rgb_to_lab (float32 NCHW and uint8 rgb8_to_lab), lab_to_rgb, soft_encode (sparse,
// K = 5), accumulate_ab_histogram (the prior), the fused rebalanced_cross_entropy forward +
// backward (Subsampled and Full target resolution), annealed_mean and, on a GPU, the
// networks' bias_relu (16-byte packs against one element per thread), at --batch images of
// each of --sizes (logits at a quarter of the image side, as the networks predict them).
// Per kernel it prints the median time per call, the effective bandwidth under the minimum
// byte model below (kByteModel, printed with the table) and its share of the copy bandwidth
// measured in the same run (GPU: a 1 GiB device-to-device Tensor::copy_, i.e.
// cudaMemcpyAsync; CPU: a large host memcpy split over the same OpenMP threads; read + write
// bytes counted). Then the fused loss against the unfused composition of framework ops
// (soft_encode_dense target, upsample_nearest2d logits for Full, cross_entropy_soft, times
// the per-pixel class weights), forward + backward, with the speedup.
//
// Timing: --warmup untimed calls, one calibration call, then --repeats samples; a sample is
// a loop of m calls (m chosen so a sample lasts >= 2 ms, at most 1000) with a device
// synchronize before and after it on the GPU; the reported time is the median over the
// samples of (sample time / m). Table on stdout, progress on stderr.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app_main.h"
#include "flag_checks.h"
#include "setting_limits.h"
#include "framework/autograd/node.h"
#include "framework/cuda/runtime.h"
#include "framework/cuda/settings.h"
#include "framework/memory/device_memory.h"
#include "framework/tint.h"
#include "kernels/ab_bins.h"
#include "kernels/annealed_mean.h"
#include "kernels/kernel_settings.h"
#include "kernels/color_loss.h"
#include "kernels/lab.h"
#include "kernels/prior.h"
#include "kernels/soft_encode.h"

namespace {

using namespace tint;
using Clock = std::chrono::steady_clock;

constexpr int64_t kCpuDefaultBatch = 4;   // --device cpu without --batch
constexpr int64_t kGpuDefaultBatch = 64;
constexpr double kMinSampleMs = 2.0;      // calls per sample are chosen to last at least this
constexpr int64_t kMaxCallsPerSample = 1000;
constexpr double kBandwidthTarget = 0.80;  // memory-bound kernels vs the copy (GPU)
constexpr double kSpeedupTarget = 3.0;     // fused loss vs unfused
constexpr int64_t kNeighbours = 5;         // soft-encoding K (paper, report)
constexpr int64_t kLogitsDiv = 4;          // logits side = image side / 4

// The byte model: the bytes a kernel must read and write at the least, per "unit" (an image
// pixel, or a logits pixel = one 313-wide row), float32 data. Printed with the table.
//   rgb_to_lab     read RGB 3 x 4 B + write Lab 3 x 4 B               = 24 B / image pixel
//   rgb8_to_lab    read RGB 3 x 1 B (uint8 NHWC) + write Lab 3 x 4 B  = 15 B / image pixel
//   lab_to_rgb     read Lab 12 B + write RGB 12 B                     = 24 B / image pixel
//   soft_encode    read ab 2 x 4 B + write K = 5 x (int64 index 8 B + float weight 4 B)
//                                                                     = 68 B / image pixel
//   ab_histogram   read ab 8 B (the 313 float64 counts are negligible) = 8 B / image pixel
//   annealed_mean  read 313 x 4 B logits + write ab 2 x 4 B           = 1260 B / logits pixel
//   loss fwd+bwd   read the logits twice (forward for the log-sum-exp, backward for the
//                  softmax: 2 x 1252 B) + write the gradient once (1252 B) + read the ab the
//                  row owns in both passes (2 x 8 B x 16 ab pixels for Full, x 1 for
//                  Subsampled) + the saved float64 log-sum-exp (write 8 B + read 8 B)
//                                                     = 4028 B (Full), 3788 B (Subsampled)
//                                                       / logits pixel
constexpr double kLogitsRowBytes = 313 * 4.0;
double loss_bytes_per_row(bool full) {
  const double ab_pixels = full ? double(kLogitsDiv * kLogitsDiv) : 1.0;
  return 3 * kLogitsRowBytes + 2 * 8.0 * ab_pixels + 16.0;
}
const char* const kByteModel[] = {
    "rgb_to_lab     read RGB 12 B + write Lab 12 B                          = 24 B / image px",
    "rgb8_to_lab    read RGB8 3 B (uint8 NHWC) + write Lab 12 B             = 15 B / image px",
    "lab_to_rgb     read Lab 12 B + write RGB 12 B                          = 24 B / image px",
    "soft_encode    read ab 8 B + write K=5 x (int64 index 8 B + weight 4 B) = 68 B / image px",
    "ab_histogram   read ab 8 B (313 float64 counts negligible)             =  8 B / image px",
    "annealed_mean  read 313 x 4 B logits + write ab 8 B                  = 1260 B / logits px",
    "loss f+b       read logits twice 2 x 1252 B + write gradient 1252 B + read ab in both",
    "               passes 2 x 8 B x (16 ab px Full | 1 Subsampled) + log-sum-exp 8 B + 8 B",
    "                                           = 4028 B Full, 3788 B Subsampled / logits px",
    "bias_relu fwd  read x + write y (GPU; N x 64 x size^2 activations)  = 2 elements x its size",
    "bias_relu bwd  read dy and y + write dx (the per-channel sums negligible) = 3 x its size",
};

struct Config {
  Device device = Device::cpu();
  bool gpu = false;
  int threads = 1;
  int warmup = 3, repeats = 10;
};

void synchronize(const Config& c) {
  if (c.gpu) cuda::synchronize(c.device.index);
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Timing {
  double ms = 0;              // median per call
  int64_t calls_per_sample = 1;
};

// See the file comment: warmup, one calibration call, then --repeats samples of m calls each,
// synchronized before and after on the GPU.
template <typename F>
Timing time_calls(const Config& c, F&& call) {
  for (int i = 0; i < c.warmup; ++i) call();
  synchronize(c);
  auto t0 = Clock::now();
  call();
  synchronize(c);
  const double one = std::max(ms_since(t0), 1e-6);
  Timing t;
  t.calls_per_sample =
      std::clamp<int64_t>(static_cast<int64_t>(std::ceil(kMinSampleMs / one)), 1,
                          kMaxCallsPerSample);
  std::vector<double> samples;
  for (int r = 0; r < c.repeats; ++r) {
    synchronize(c);
    t0 = Clock::now();
    for (int64_t i = 0; i < t.calls_per_sample; ++i) call();
    synchronize(c);
    samples.push_back(ms_since(t0) / static_cast<double>(t.calls_per_sample));
  }
  t.ms = median(samples);
  return t;
}

// Values of a pool of about a million seeded draws (uniform [0, 1) or standard normal),
// repeated to fill the shape, made on the host and copied to the device: drawing tens of
// millions one by one would take longer than the timing, and no kernel here is faster on
// repeated values.
Tensor pooled(const Shape& shape, Device device, bool normal, uint64_t seed) {
  Generator gen(seed);
  const int64_t n = shape_numel(shape);
  const int64_t pool_n = std::min<int64_t>(n, 1000003);
  const Tensor pool = normal ? randn({pool_n}, gen) : rand({pool_n}, gen);
  std::vector<float> host(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i += pool_n)
    std::copy_n(pool.data<float>(), std::min(pool_n, n - i), host.data() + i);
  return from_buffer(host.data(), shape, DType::Float32, device);
}

// Random uint8 (N, H, W, 3) images (xorshift64).
Tensor random_rgb8(int64_t n, int64_t h, int64_t w, Device device) {
  std::vector<uint8_t> host(static_cast<size_t>(n * h * w * 3));
  uint64_t s = 0x9E3779B97F4A7C15ull;
  for (uint8_t& v : host) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    v = static_cast<uint8_t>(s >> 56);
  }
  return from_buffer(host.data(), {n, h, w, 3}, DType::UInt8, device);
}

// memcpy of nbytes split into contiguous chunks over `threads` OpenMP threads.
void parallel_copy(char* dst, const char* src, size_t nbytes, int threads) {
  const int64_t chunks = static_cast<int64_t>(threads) * 8;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    const size_t begin = nbytes / chunks * c / 64 * 64;
    const size_t end = c + 1 == chunks ? nbytes : nbytes / chunks * (c + 1) / 64 * 64;
    std::memcpy(dst + begin, src + begin, end - begin);
  }
}

struct CopyResult {
  std::string what;
  double bytes = 0;  // read + write per copy
  Timing t;
  double gbps() const { return bytes / (t.ms * 1e6); }
};

CopyResult measure_copy(const Config& c, int64_t mib) {
  CopyResult r;
  const int64_t n = mib * (int64_t{1} << 20) / 4;
  // Host buffers are written first (zeros): untouched pages would be read from the kernel's
  // shared zero page and fake a fast copy. Device memory needs no such care.
  Tensor src = c.gpu ? Tensor::empty({n}, DType::Float32, c.device) : zeros({n});
  Tensor dst = c.gpu ? Tensor::empty({n}, DType::Float32, c.device) : zeros({n});
  r.bytes = 2.0 * static_cast<double>(src.nbytes());
  std::ostringstream what;
  if (c.gpu) {
    what << mib << " MiB device-to-device Tensor::copy_ (cudaMemcpyAsync)";
    r.t = time_calls(c, [&] { dst.copy_(src); });
  } else {
    what << mib << " MiB host memcpy over " << c.threads << " OpenMP thread(s)";
    char* d = static_cast<char*>(dst.raw_data());
    const char* s = static_cast<const char*>(src.raw_data());
    r.t = time_calls(c, [&] { parallel_copy(d, s, src.nbytes(), c.threads); });
  }
  r.what = what.str();
  return r;
}

struct Row {
  std::string kernel, shape;
  int64_t size = 0;
  std::string unit;     // "image px" or "logits px"
  int64_t units = 0;
  double bytes_per_unit = 0;
  Timing t;
  double bytes() const { return bytes_per_unit * static_cast<double>(units); }
  double gbps() const { return bytes() / (t.ms * 1e6); }
};

struct LossCompare {
  int64_t size = 0;
  std::string target, logits_shape;
  Timing fused, unfused;
  double fused_value = 0, unfused_value = 0;
  double speedup() const { return unfused.ms / fused.ms; }
  double rel_diff() const {
    return std::abs(fused_value - unfused_value) / std::max(std::abs(fused_value), 1e-30);
  }
};

std::string shape_of(const Shape& s, const char* dtype) {
  std::ostringstream os;
  for (size_t i = 0; i < s.size(); ++i) os << (i ? "x" : "") << s[i];
  os << " " << dtype;
  return os.str();
}

std::string now_utc() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

class Progress {
 public:
  explicit Progress(int64_t total) : total_(total) {}
  void report(const std::string& what, const Timing& t) {
    ++done_;
    std::fprintf(stderr, "bench_kernels: [%lld/%lld] %-40s %10.3f ms  (%lld call(s) per sample)\n",
                 static_cast<long long>(done_), static_cast<long long>(total_), what.c_str(),
                 t.ms, static_cast<long long>(t.calls_per_sample));
  }

 private:
  int64_t total_, done_ = 0;
};

// The fused loss's options in every timing: K = 5, per-image sums, at either resolution.
color::ColorLossOptions loss_options(bool full) {
  color::ColorLossOptions o;
  o.k = kNeighbours;
  o.target_resolution = full ? color::TargetResolution::Full : color::TargetResolution::Subsampled;
  o.reduction = color::LossReduction::PerImageSum;
  return o;
}

// --row-splits: the annealed mean and the fused loss (forward + backward, both target
// resolutions) with each given number of threads per logits row
// (color::kernel_settings(); results equal within rounding), appended to sweep.
// Run by bench_size on its own ab and logits.
void bench_row_splits(const Config& c, int64_t size, const Tensor& ab, Tensor logits,
                      const std::vector<int>& splits, std::vector<Row>& sweep,
                      Progress& progress) {
  using namespace tint::color;
  const int64_t logits_px = logits.size(0) * logits.size(2) * logits.size(3);
  const std::string logits_shape = shape_of(logits.shape(), "f32");
  const KernelSettings saved = kernel_settings();
  for (const int split : splits) {
    kernel_settings().annealed_row_split = split;
    kernel_settings().loss_row_split = split;
    const std::string tag = " split=" + std::to_string(split);
    logits.set_requires_grad(false);
    Timing t = time_calls(c, [&] { (void)annealed_mean(logits); });
    sweep.push_back({"annealed_mean" + tag, logits_shape, size, "logits px", logits_px,
                     313 * 4.0 + 8, t});
    progress.report("annealed_mean" + tag, t);
    logits.set_requires_grad();
    for (const bool full : {false, true}) {
      const ColorLossOptions o = loss_options(full);
      t = time_calls(c, [&] {
        Tensor loss = rebalanced_cross_entropy(logits, ab, Tensor(), o);
        loss.backward();
        logits.zero_grad();
      });
      const std::string name = std::string("loss f+b ") + (full ? "Full" : "Subsampled") + tag;
      sweep.push_back({name, logits_shape, size, "logits px", logits_px, loss_bytes_per_row(full),
                       t});
      progress.report(name, t);
    }
  }
  kernel_settings() = saved;
}

// bias_relu, the networks' fused convolution epilogue (framework/ops/bias_relu.h), on
// first-layer-like activations (batch x 64 x size x size) as the bf16_nhwc training mode
// (bfloat16 NHWC, float32 bias) and the float32 mode (NCHW) give it: forward, and the
// backward node alone (grad_x and grad_bias), with the 16-byte-pack kernels and with the
// per-element ones (cuda::settings().vectorized_bias_relu), side by side. GPU only.
template <typename Add>
void bench_bias_relu(const Config& c, int64_t batch, int64_t size, Add&& add) {
  const bool saved = cuda::settings().vectorized_bias_relu;
  for (const bool bf16 : {true, false}) {
    const DType dtype = bf16 ? DType::BFloat16 : DType::Float32;
    Tensor x = pooled({batch, 64, size, size}, c.device, true, 3).to(dtype);
    Tensor dy = pooled({batch, 64, size, size}, c.device, true, 4).to(dtype);
    if (bf16) x = to_channels_last(x), dy = to_channels_last(dy);
    const Tensor b = pooled({64}, c.device, true, 5);  // float32: the master bias
    const std::string shape = shape_of(x.shape(), bf16 ? "bf16 NHWC" : "f32");
    const double element = static_cast<double>(dtype_size(dtype));
    for (const bool packs : {true, false}) {
      cuda::settings().vectorized_bias_relu = packs;
      const std::string how = std::string(bf16 ? " bf16" : " f32") + (packs ? " packs" : " scalar");
      {
        NoGradGuard no_grad;
        add("bias_relu fwd" + how, shape, "elements", x.numel(), 2 * element,
            time_calls(c, [&] { (void)bias_relu(x, b); }));
      }
      const Tensor xr = x.detach().set_requires_grad();
      const Tensor br = b.detach().set_requires_grad();
      const Tensor y = bias_relu(xr, br);
      add("bias_relu bwd" + how, shape, "elements", x.numel(), 3 * element,
          time_calls(c, [&] { (void)y.grad_fn()->backward(dy, {true, true}); }));
    }
  }
  cuda::settings().vectorized_bias_relu = saved;
}

// Every kernel at one size; appends to rows and losses (and, with splits on a GPU, the
// row-split sweep to sweep).
void bench_size(const Config& c, int64_t batch, int64_t size, const std::vector<int>& splits,
                std::vector<Row>& rows, std::vector<LossCompare>& losses,
                std::vector<Row>& sweep, Progress& progress) {
  using namespace tint::color;
  const Device dev = c.device;
  const int64_t hl = size / kLogitsDiv;
  const int64_t image_px = batch * size * size, logits_px = batch * hl * hl;
  const std::string sz = std::to_string(size) + "x" + std::to_string(size);
  auto add = [&](const std::string& kernel, const std::string& shape, const std::string& unit,
                 int64_t units, double bpu, const Timing& t) {
    rows.push_back({kernel, shape, size, unit, units, bpu, t});
    progress.report(kernel + " " + sz, t);
  };

  const Tensor rgb = pooled({batch, 3, size, size}, dev, false, 1);
  const Tensor rgb8 = random_rgb8(batch, size, size, dev);
  const Tensor lab = rgb_to_lab(rgb);
  const Tensor ab = lab.slice(1, 1, 3).contiguous();
  const std::string img_shape = shape_of(rgb.shape(), "f32");

  add("rgb_to_lab", img_shape, "image px", image_px, 24,
      time_calls(c, [&] { (void)rgb_to_lab(rgb); }));
  add("rgb8_to_lab", shape_of(rgb8.shape(), "u8"), "image px", image_px, 15,
      time_calls(c, [&] { (void)rgb8_to_lab(rgb8); }));
  add("lab_to_rgb", img_shape, "image px", image_px, 24,
      time_calls(c, [&] { (void)lab_to_rgb(lab); }));
  SoftEncodeOptions se;
  se.k = kNeighbours;
  add("soft_encode K=5", shape_of(ab.shape(), "f32"), "image px", image_px,
      8 + kNeighbours * 12.0, time_calls(c, [&] { (void)soft_encode(ab, se); }));
  Tensor counts = empty_ab_histogram(dev);
  add("ab_histogram", shape_of(ab.shape(), "f32"), "image px", image_px, 8,
      time_calls(c, [&] { accumulate_ab_histogram(counts, ab); }));

  if (c.gpu) bench_bias_relu(c, batch, size, add);

  // The class weights: the rebalancing weights of this batch's own prior.
  Tensor hist = empty_ab_histogram(dev);
  accumulate_ab_histogram(hist, ab);
  const ColorPrior prior = prior_from_counts(hist.cpu());
  const Tensor weights = prior.weights.to(dev);

  Tensor logits = pooled({batch, 313, hl, hl}, dev, true, 2).mul_(2.0);
  const std::string logits_shape = shape_of(logits.shape(), "f32");
  add("annealed_mean", logits_shape, "logits px", logits_px, 313 * 4.0 + 8,
      time_calls(c, [&] { (void)annealed_mean(logits); }));

  logits.set_requires_grad();
  for (const bool full : {false, true}) {
    LossCompare cmp;
    cmp.size = size;
    cmp.target = full ? "Full" : "Subsampled";
    cmp.logits_shape = logits_shape;
    const ColorLossOptions o = loss_options(full);
    auto fused = [&] {
      Tensor loss = rebalanced_cross_entropy(logits, ab, weights, o);
      loss.backward();
      logits.zero_grad();
      return loss;
    };
    cmp.fused_value = fused().item();
    cmp.fused = time_calls(c, fused);
    add(std::string("loss f+b ") + cmp.target, logits_shape, "logits px", logits_px,
        loss_bytes_per_row(full), cmp.fused);

    // Unfused: the ab the loss is computed against (Zhang's subsampling picks pixel
    // (4i, 4j), i.e. a step-4 slice), its per-pixel weights w[nearest bin] (precomputed
    // here, outside the timed calls: tint has no gather op, and the lookup's bytes are
    // negligible next to the 313-wide tensors; this favours the unfused side).
    const Tensor ab_t = full ? ab : ab.slice(2, 0, size, kLogitsDiv).slice(3, 0, size, kLogitsDiv);
    Tensor v;
    {
      const std::vector<int64_t> nearest = nearest_bins(ab_t).to_vector<int64_t>();
      const std::vector<float> w = prior.weights.to_vector<float>();
      std::vector<float> vh(nearest.size());
      for (size_t i = 0; i < nearest.size(); ++i) vh[i] = w[static_cast<size_t>(nearest[i])];
      v = from_buffer(vh.data(), {batch, ab_t.size(2), ab_t.size(3)}, DType::Float32, dev);
    }
    auto unfused = [&] {
      const Tensor target = soft_encode_dense(ab_t, se);  // (N, 313, H', W')
      const Tensor x = full ? upsample_nearest2d(logits, UpsampleSize::size(size, size)) : logits;
      Tensor loss = sum(cross_entropy_soft(x, target, Reduction::None) * v) /
                    static_cast<double>(batch);
      loss.backward();
      logits.zero_grad();
      return loss;
    };
    cmp.unfused_value = unfused().item();
    cmp.unfused = time_calls(c, unfused);
    progress.report(std::string("unfused loss f+b ") + cmp.target + " " + sz, cmp.unfused);
    losses.push_back(cmp);
    if (c.gpu) device_empty_cache(dev);  // the unfused Full case holds several GB
  }
  if (!splits.empty()) bench_row_splits(c, size, ab, logits, splits, sweep, progress);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Times tint's colorization kernels (Lab conversions, soft-encoding, the prior's "
      "histogram, the fused rebalanced cross-entropy forward+backward, the annealed mean; "
      "on a GPU also the networks' bias_relu, 16-byte packs against one element per thread) "
      "and reports effective bandwidth against the device's copy bandwidth, plus the fused "
      "loss against its unfused composition of framework ops."};
  int64_t batch = kGpuDefaultBatch;
  std::vector<int64_t> sizes = {176, 256};
  int repeats = 10, warmup = 3, threads = omp_get_num_procs();
  std::string device_name = "auto", json_path;
  int64_t copy_mib = 0;
  namespace flags = tint::apps::flags;
  auto* batch_opt = app.add_option("--batch", batch,
                                   "images per batch (default 64; 4 on the cpu unless given)")
                        ->transform(flags::whole_number(tint::apps::limits::kBatch));
  app.add_option("--sizes", sizes, "image sides (square), comma-separated")
      ->delimiter(',')
      ->transform(flags::whole_number({kLogitsDiv, 4096, kLogitsDiv}))
      ->capture_default_str();
  app.add_option("--repeats", repeats, "timed samples per kernel (median reported)")
      ->transform(flags::whole_number({1, 1'000'000}))
      ->capture_default_str();
  app.add_option("--warmup", warmup, "untimed calls per kernel first")
      ->transform(flags::whole_number({0, 1'000'000}))
      ->capture_default_str();
  app.add_option("--device", device_name, "auto (cuda when a GPU is visible), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  app.add_option("--threads", threads, "OpenMP threads on the cpu (default: all cores)")
      ->transform(flags::whole_number({1, 1024}));
  app.add_option("--copy-mib", copy_mib,
                 "size of the copy that measures the reference bandwidth (default: 1024 on "
                 "the GPU, 256 on the cpu)")
      ->transform(flags::whole_number({1, 16384}));
  std::vector<int> row_splits;
  app.add_option("--row-splits", row_splits,
                 "also time the annealed mean and the fused loss with each of these numbers of "
                 "threads per logits row (comma-separated, of 1, 2, 4, 8; GPU only; "
                 "kernels/kernel_settings.h), in a table of their own")
      ->delimiter(',')
      ->transform(flags::one_of(std::vector<int64_t>(std::begin(color::kRowSplits),
                                                 std::end(color::kRowSplits))));
  app.add_option("--json", json_path, "also write the results as JSON here");
  flags::one_line_errors(app, "bench_kernels");
  CLI11_PARSE(app, argc, argv);

  return tint::apps::run_app("bench_kernels", [&]() -> int {
    Config c;
    if (device_name == "cuda" || (device_name == "auto" && cuda::available())) {
      if (!cuda::built_with_cuda()) {
        std::cerr << "bench_kernels: --device cuda needs a CUDA device, but this build of tint "
                     "has no CUDA backend (configure with -DTINT_CUDA=ON).\n";
        return 1;
      }
      if (!cuda::available()) {
        std::cerr << "bench_kernels: --device cuda needs a CUDA device, but none is visible to "
                     "this process.\n";
        return 1;
      }
      c.device = Device::cuda(0);
      c.gpu = true;
    }
    const bool small_cpu_batch = !c.gpu && !batch_opt->count();
    if (small_cpu_batch) batch = kCpuDefaultBatch;
    if (!copy_mib) copy_mib = c.gpu ? 1024 : 256;
    c.threads = threads;
    c.warmup = warmup;
    c.repeats = repeats;
    omp_set_num_threads(threads);

    const std::string device_label =
        c.gpu ? "cuda:0 (" + cuda::device_name(0) + ")"
              : "CPU (" + std::to_string(threads) + " thread" + (threads == 1 ? "" : "s") + ")";
    std::cerr << "bench_kernels: " << device_label << ", batch " << batch << ", sizes";
    for (int64_t s : sizes) std::cerr << " " << s;
    std::cerr << ", " << warmup << " warmup call(s) + " << repeats << " timed sample(s) each\n";

    // The copy; per size 10 kernels and, on a GPU, 8 bias_relu rows and 3 per row split.
    const int64_t cases =
        1 + static_cast<int64_t>(sizes.size()) *
                (10 + (c.gpu ? 8 + 3 * static_cast<int64_t>(row_splits.size()) : 0));
    Progress progress(cases);
    const CopyResult copy = measure_copy(c, copy_mib);
    progress.report("copy " + std::to_string(copy_mib) + " MiB", copy.t);
    if (c.gpu) device_empty_cache(c.device);

    // Loaded (and its tables built) before any timing.
    (void)color::AbBins::standard();
    std::vector<Row> rows;
    std::vector<LossCompare> losses;
    std::vector<Row> sweep;
    for (int64_t size : sizes)
      bench_size(c, batch, size, c.gpu ? row_splits : std::vector<int>{}, rows, losses, sweep,
                 progress);

    double load[1] = {0};
    const bool have_load = getloadavg(load, 1) == 1;
    std::printf("colorization kernels on %s, float32, batch %lld, %s\n", device_label.c_str(),
                static_cast<long long>(batch), now_utc().c_str());
    if (small_cpu_batch)
      std::printf("batch %lld is the CPU default (the GPU default is %lld; pass --batch %lld "
                  "for the GPU's shapes)\n",
                  static_cast<long long>(kCpuDefaultBatch),
                  static_cast<long long>(kGpuDefaultBatch),
                  static_cast<long long>(kGpuDefaultBatch));
    if (have_load && !c.gpu) std::printf("load average %.2f\n", load[0]);
    std::printf("median ms per call over %d samples (after %d warmup calls; a sample loops >= %g "
                "ms of calls%s)\n",
                repeats, warmup, kMinSampleMs,
                c.gpu ? " between two device synchronizations" : "");
    std::printf("copy bandwidth: %s, read + write counted: %.1f GB/s (%.3f ms)\n",
                copy.what.c_str(), copy.gbps(), copy.t.ms);
    std::printf("byte model (minimum bytes read + written per call, float32; GB = 1e9 B):\n");
    for (const char* line : kByteModel) std::printf("  %s\n", line);
    std::printf("%-22s %-8s %-22s %9s %10s %8s %7s\n", "kernel", "size", "input", "MB",
                "ms", "GB/s", "% copy");
    for (const Row& r : rows)
      std::printf("%-22s %-8s %-22s %9.1f %10.3f %8.1f %7.1f\n", r.kernel.c_str(),
                  (std::to_string(r.size) + "x" + std::to_string(r.size)).c_str(),
                  r.shape.c_str(), r.bytes() / 1e6, r.t.ms, r.gbps(),
                  100.0 * r.gbps() / copy.gbps());
    int64_t met_bw = 0;
    std::string below;
    for (const Row& r : rows) {
      if (r.gbps() >= kBandwidthTarget * copy.gbps()) {
        ++met_bw;
      } else {
        below += (below.empty() ? "" : ", ") + r.kernel + " " + std::to_string(r.size);
      }
    }
    if (c.gpu)
      std::printf("target: memory-bound kernels >= 80%% of copy bandwidth (GPU): met by %lld of "
                  "%zu rows%s%s\n",
                  static_cast<long long>(met_bw), rows.size(), below.empty() ? "" : "; below: ",
                  below.c_str());
    else
      std::printf("target: memory-bound kernels >= 80%% of copy bandwidth (GPU): a GPU target, "
                  "not evaluated on the CPU (here %lld of %zu rows reach 80%% of the host copy)\n",
                  static_cast<long long>(met_bw), rows.size());

    if (!sweep.empty()) {
      std::printf("\nrow-split sweep (threads per logits row, color::kernel_settings(); "
                  "defaults: loss %d, annealed mean %d; not counted in the target):\n",
                  color::KernelSettings{}.loss_row_split,
                  color::KernelSettings{}.annealed_row_split);
      for (const Row& r : sweep)
        std::printf("%-30s %-8s %10.3f %8.1f %7.1f\n", r.kernel.c_str(),
                    (std::to_string(r.size) + "x" + std::to_string(r.size)).c_str(), r.t.ms,
                    r.gbps(), 100.0 * r.gbps() / copy.gbps());
    } else if (!row_splits.empty()) {
      std::printf("\n--row-splits: a GPU sweep, not run on the CPU\n");
    }

    std::printf("\nrebalanced cross-entropy forward+backward, fused vs unfused (%s)\n",
                device_label.c_str());
    std::printf("  fused:   rebalanced_cross_entropy(logits, ab, weights), K=5, PerImageSum\n");
    std::printf("  unfused: soft_encode_dense(ab') -> [Full: upsample_nearest2d(logits) to the "
                "ab's size] -> cross_entropy_soft(., None) * w[nearest bin] -> sum / N\n");
    std::printf("           (ab' = ab for Full, ab[:, :, ::4, ::4] for Subsampled; the per-pixel "
                "weights are precomputed outside the timed calls)\n");
    std::printf("  loss rel diff: |fused - unfused| / |fused| of the two loss values (float32 "
                "scalars), a check that both compute the same loss\n");
    std::printf("%-8s %-11s %-22s %10s %11s %8s %14s\n", "size", "target", "logits", "fused ms",
                "unfused ms", "speedup", "loss rel diff");
    int64_t met_speed = 0;
    double min_speedup = INFINITY;
    for (const LossCompare& l : losses) {
      std::printf("%-8s %-11s %-22s %10.3f %11.3f %7.2fx %14.1e\n",
                  (std::to_string(l.size) + "x" + std::to_string(l.size)).c_str(),
                  l.target.c_str(), l.logits_shape.c_str(), l.fused.ms, l.unfused.ms,
                  l.speedup(), l.rel_diff());
      if (l.speedup() >= kSpeedupTarget) ++met_speed;
      min_speedup = std::min(min_speedup, l.speedup());
    }
    std::printf("target: fused loss >= 3x faster than unfused: met in %lld of %zu cases "
                "(smallest speedup %.2fx)\n",
                static_cast<long long>(met_speed), losses.size(), min_speedup);

    if (!json_path.empty()) {
      nlohmann::json js = {
          {"date", now_utc()}, {"device", c.gpu ? "cuda:0" : "cpu"},
          {"device_label", device_label}, {"threads", c.gpu ? 0 : threads}, {"batch", batch},
          {"warmup", warmup}, {"repeats", repeats}, {"min_sample_ms", kMinSampleMs},
          {"copy", {{"what", copy.what}, {"bytes", copy.bytes}, {"ms", copy.t.ms},
                    {"gbps", copy.gbps()}}}};
      for (const Row& r : rows)
        js["kernels"].push_back({{"kernel", r.kernel}, {"size", r.size}, {"input", r.shape},
                                 {"unit", r.unit}, {"units", r.units},
                                 {"bytes_per_unit", r.bytes_per_unit}, {"bytes", r.bytes()},
                                 {"ms", r.t.ms}, {"calls_per_sample", r.t.calls_per_sample},
                                 {"gbps", r.gbps()}, {"fraction_of_copy", r.gbps() / copy.gbps()}});
      for (const Row& r : sweep)
        js["row_split_sweep"].push_back({{"kernel", r.kernel}, {"size", r.size},
                                         {"ms", r.t.ms}, {"gbps", r.gbps()},
                                         {"fraction_of_copy", r.gbps() / copy.gbps()}});
      for (const LossCompare& l : losses)
        js["loss_fused_vs_unfused"].push_back(
            {{"size", l.size}, {"target", l.target}, {"logits", l.logits_shape},
             {"fused_ms", l.fused.ms}, {"unfused_ms", l.unfused.ms}, {"speedup", l.speedup()},
             {"fused_loss", l.fused_value}, {"unfused_loss", l.unfused_value}});
      js["targets"] = {{"bandwidth_fraction", kBandwidthTarget}, {"bandwidth_rows_met", met_bw},
                       {"bandwidth_evaluated", c.gpu}, {"speedup", kSpeedupTarget},
                       {"speedup_cases_met", met_speed}};
      std::ofstream f(json_path);
      if (!(f << js.dump(2) << "\n")) {
        std::cerr << "bench_kernels: could not write " << json_path << "\n";
        return 1;
      }
    }
    return 0;
  });
}
