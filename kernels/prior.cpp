// The class-rebalancing prior: argument checks and device dispatch of the histogram, the
// float64 smoothing and weight formulas on the host (313 x 313 work, not worth a kernel), and
// the prior's safetensors file.
#include "kernels/prior.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "framework/core/error.h"
#include "framework/io/metadata.h"
#include "framework/io/safetensors.h"
#include "framework/tensor/factories.h"
#include "kernels/cpu/prior.h"
#if defined(TINT_WITH_CUDA)
#include "kernels/cuda/prior.h"
#endif

namespace tint::color {

namespace {

const char* const kFormat = kPriorFormat;
const char* const kFormatVersion = "1";

// FNV-1a over the centres' "a b\n" text: identifies the bin set and its order.
std::string bins_fingerprint(const AbBins& bins) {
  uint64_t h = 1469598103934665603ull;
  for (int64_t q = 0; q < bins.size(); ++q) {
    char line[64];
    const int n = std::snprintf(line, sizeof line, "%g %g\n", bins.a(q), bins.b(q));
    for (int i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(line[i])) * 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

// A (313) tensor of any real dtype as host doubles; what names the argument in errors.
std::vector<double> bin_values(const Tensor& t, const char* what) {
  TINT_CHECK(t.defined(), what, ": expected a (", kNumBins, ") tensor, got an undefined tensor");
  TINT_CHECK(t.dim() == 1 && t.shape()[0] == kNumBins, what, ": expected shape [", kNumBins,
             "], got ", describe(t));
  TINT_CHECK(is_floating(t.dtype()) || t.dtype() == DType::Int64 || t.dtype() == DType::Int32, what,
             ": expected a floating or integer tensor, got ", describe(t));
  return t.to_vector<double>();
}

double checked_sum(const std::vector<double>& v, const char* what) {
  double sum = 0;
  for (size_t q = 0; q < v.size(); ++q) {
    TINT_CHECK(std::isfinite(v[q]) && v[q] >= 0, what,
               ": every value must be finite and >= 0, but bin ", q, " holds ", v[q]);
    sum += v[q];
  }
  TINT_CHECK(sum > 0, what, ": every value is zero (no pixels were counted)");
  return sum;
}

Tensor host_f64(const std::vector<double>& v) {
  return from_vector(v, {static_cast<int64_t>(v.size())});
}

const Tensor& need_tensor(const std::string& path, const StateDict& tensors,
                          const std::string& name, DType dtype) {
  auto it = tensors.find(name);
  TINT_CHECK(it != tensors.end(), path, ": colour prior has no tensor '", name, "'");
  const Tensor& t = it->second;
  TINT_CHECK(t.dim() == 1 && t.shape()[0] == kNumBins && t.dtype() == dtype, path,
             ": colour prior tensor '", name, "' should be ", dtype_name(dtype), "[", kNumBins,
             "], got ", describe(t));
  return t;
}

}  // namespace

Tensor empty_ab_histogram(Device device) {
  return zeros({kNumBins}, TensorOptions{}.with_dtype(DType::Float64).with_device(device));
}

void accumulate_ab_histogram(Tensor& counts, const Tensor& ab) {
  TINT_CHECK(counts.defined() && counts.dim() == 1 && counts.shape()[0] == kNumBins &&
                 counts.dtype() == DType::Float64 && counts.is_contiguous(),
             "accumulate_ab_histogram: counts should be a contiguous float64[", kNumBins,
             "] tensor (see empty_ab_histogram), got ",
             counts.defined() ? describe(counts) : "an undefined tensor");
  TINT_CHECK(ab.defined() && (ab.dim() == 3 || ab.dim() == 4) && ab.size(-3) == 2 &&
                 (ab.dtype() == DType::Float32 || ab.dtype() == DType::Float64),
             "accumulate_ab_histogram: ab should be float32 or float64 of shape (N, 2, H, W) or "
             "(2, H, W), got ",
             ab.defined() ? describe(ab) : "an undefined tensor");
  TINT_CHECK(ab.device() == counts.device(), "accumulate_ab_histogram: ab is on ",
             ab.device().str(), " but counts is on ", counts.device().str(),
             "; make the histogram with empty_ab_histogram(ab.device())");
  Tensor x = ab.dim() == 3 ? ab.unsqueeze(0) : ab;
  // Kernels need contiguous H x W planes only; channel and batch strides are free, so the ab
  // slice of a Lab tensor is read in place.
  const int64_t h = x.shape()[2], w = x.shape()[3];
  if (!((x.strides()[3] == 1 || w == 1) && (x.strides()[2] == w || h == 1))) x = x.contiguous();
  const int64_t n = x.shape()[0], plane = h * w;
  if (n * plane == 0) return;
#if defined(TINT_WITH_CUDA)
  if (x.device().is_cuda())
    return cuda::accumulate_ab_histogram(counts, x, n, plane, x.strides()[0], x.strides()[1]);
#endif
  cpu::accumulate_ab_histogram(counts, x, n, plane, x.strides()[0], x.strides()[1]);
}

Tensor smooth_ab_distribution(const Tensor& probabilities, double sigma, const AbBins& bins) {
  TINT_CHECK(std::isfinite(sigma) && sigma >= 0,
             "smooth_ab_distribution: sigma should be a finite number >= 0 (ab units), got ",
             sigma);
  TINT_CHECK(bins.size() == kNumBins, "smooth_ab_distribution: expected ", kNumBins, " bins, got ",
             bins.size());
  const std::vector<double> p = bin_values(probabilities, "smooth_ab_distribution: probabilities");
  const double total = checked_sum(p, "smooth_ab_distribution: probabilities");
  std::vector<double> out(kNumBins, 0.0);
  if (sigma == 0) {
    for (int64_t q = 0; q < kNumBins; ++q) out[q] = p[q] / total;
    return host_f64(out);
  }
  const double inv_two_var = 1.0 / (2.0 * sigma * sigma);
  double sum = 0;
  for (int64_t q = 0; q < kNumBins; ++q) {
    double acc = 0;
    for (int64_t r = 0; r < kNumBins; ++r) {
      const double da = double(bins.a(q)) - bins.a(r), db = double(bins.b(q)) - bins.b(r);
      acc += p[r] * std::exp(-(da * da + db * db) * inv_two_var);
    }
    out[q] = acc;
    sum += acc;
  }
  for (double& v : out) v /= sum;
  return host_f64(out);
}

Tensor rebalancing_weights(const Tensor& probabilities, double lambda) {
  TINT_CHECK(std::isfinite(lambda) && lambda >= 0 && lambda <= 1,
             "rebalancing_weights: lambda should be in [0, 1], got ", lambda);
  const std::vector<double> p = bin_values(probabilities, "rebalancing_weights: probabilities");
  const double total = checked_sum(p, "rebalancing_weights: probabilities");
  TINT_CHECK(std::fabs(total - 1.0) <= 1e-6,
             "rebalancing_weights: probabilities should sum to 1, got a sum of ", total);
  std::vector<double> w(kNumBins);
  double expected = 0;  // sum_q p_q w_q before normalisation
  for (int64_t q = 0; q < kNumBins; ++q) {
    const double mixed = (1.0 - lambda) * p[q] + lambda / static_cast<double>(kNumBins);
    TINT_CHECK(
        mixed > 0, "rebalancing_weights: bin ", q,
        " has probability 0, so with lambda = 0 its weight would be infinite; use lambda > 0");
    w[q] = 1.0 / mixed;
    expected += p[q] * w[q];
  }
  for (double& v : w) v /= expected;
  return host_f64(w);
}

ColorPrior prior_from_counts(const Tensor& counts, double lambda, double sigma) {
  const std::vector<double> c = bin_values(counts, "prior_from_counts: counts");
  const double total = checked_sum(c, "prior_from_counts: counts");
  ColorPrior prior;
  prior.counts = host_f64(c);
  prior.probabilities = smooth_ab_distribution(prior.counts, sigma);
  prior.weights = rebalancing_weights(prior.probabilities, lambda).to(DType::Float32);
  prior.lambda = lambda;
  prior.sigma = sigma;
  prior.pixels = static_cast<int64_t>(std::llround(total));
  return prior;
}

void save_prior(const std::string& path, const ColorPrior& prior) {
  TINT_CHECK(prior.counts.defined() && prior.probabilities.defined() && prior.weights.defined(),
             "save_prior ", path, ": the prior is incomplete (make it with prior_from_counts)");
  bin_values(prior.counts, "save_prior: counts");
  bin_values(prior.probabilities, "save_prior: probabilities");
  bin_values(prior.weights, "save_prior: weights");
  const AbBins& bins = AbBins::standard();
  const std::map<std::string, std::string> meta = {
      {"tint.format", kFormat},
      {"tint.format_version", kFormatVersion},
      {"lambda", format_metadata_number(prior.lambda)},
      {"sigma", format_metadata_number(prior.sigma)},
      {"pixels", std::to_string(prior.pixels)},
      {"images", std::to_string(prior.images)},
      {"bins", "ab_bins_313.txt"},
      {"bins_fnv1a", bins_fingerprint(bins)},
  };
  save_safetensors(path,
                   {{"counts", prior.counts.to(Device::cpu(), DType::Float64)},
                    {"probabilities", prior.probabilities.to(Device::cpu(), DType::Float64)},
                    {"weights", prior.weights.to(Device::cpu(), DType::Float32)}},
                   meta);
}

ColorPrior load_prior(const std::string& path) {
  const SafetensorsFile file = load_safetensors(path);
  auto format = file.metadata.find("tint.format");
  TINT_CHECK(format != file.metadata.end() && format->second == kFormat, path,
             ": not a colour prior (its metadata has no tint.format = ", kFormat,
             format == file.metadata.end() ? std::string() : "; it says " + format->second,
             "); make one with compute_prior");
  const std::string& version =
      metadata_value(path, file.metadata, "tint.format_version", "colour prior");
  TINT_CHECK(version == kFormatVersion, path, ": colour prior format version ", version,
             " is not supported (this tint reads version ", kFormatVersion, ")");
  const std::string& fingerprint =
      metadata_value(path, file.metadata, "bins_fnv1a", "colour prior");
  TINT_CHECK(fingerprint == bins_fingerprint(AbBins::standard()), path,
             ": the prior was made with other ab bins (",
             metadata_value(path, file.metadata, "bins", "colour prior"), ", fingerprint ",
             fingerprint, ") than this tint's ", AbBins::standard().size(), " standard bins");
  ColorPrior prior;
  prior.lambda = metadata_number<double>(path, file.metadata, "lambda", "colour prior");
  prior.sigma = metadata_number<double>(path, file.metadata, "sigma", "colour prior");
  prior.pixels = metadata_number<int64_t>(path, file.metadata, "pixels", "colour prior");
  prior.images = metadata_number<int64_t>(path, file.metadata, "images", "colour prior");
  TINT_CHECK(prior.lambda >= 0 && prior.lambda <= 1 && prior.sigma >= 0 && prior.pixels > 0 &&
                 prior.images >= 0,
             path, ": colour prior metadata out of range (lambda ", prior.lambda,
             " should be in [0, 1], sigma ", prior.sigma, " >= 0, pixels ", prior.pixels,
             " > 0, images ", prior.images, " >= 0)");
  prior.counts = need_tensor(path, file.tensors, "counts", DType::Float64);
  prior.probabilities = need_tensor(path, file.tensors, "probabilities", DType::Float64);
  prior.weights = need_tensor(path, file.tensors, "weights", DType::Float32);
  const auto check_values = [&](const Tensor& t, const char* name, bool positive) {
    double sum = 0;
    for (double v : t.to_vector<double>()) {
      TINT_CHECK(std::isfinite(v) && (positive ? v > 0 : v >= 0), path, ": colour prior tensor '",
                 name, "' holds ", v, ", expected finite values ", positive ? "> 0" : ">= 0");
      sum += v;
    }
    return sum;
  };
  const double pixels = check_values(prior.counts, "counts", false);
  TINT_CHECK(std::llround(pixels) == prior.pixels, path, ": colour prior counts sum to ", pixels,
             " but its metadata says ", prior.pixels, " pixels");
  const double mass = check_values(prior.probabilities, "probabilities", false);
  TINT_CHECK(std::fabs(mass - 1.0) <= 1e-6, path, ": colour prior probabilities sum to ", mass,
             ", expected 1");
  check_values(prior.weights, "weights", true);
  return prior;
}

}  // namespace tint::color
