// CPU/GPU parity of the ab-bin histogram (kernels/prior.h): the same ab values counted on
// both devices give identical counts (ties between bins included, float32 and float64,
// strided Lab slices, non-finite pixels, inputs large enough for the capped grid to loop),
// the whole compute_prior path from uint8 images agrees up to pixels whose Lab value lies
// on a bin boundary, and counts on the wrong device are a clear error.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "framework/tint.h"
#include "kernels/ab_bins.h"
#include "kernels/lab.h"
#include "kernels/prior.h"

using namespace tint;
using namespace tint::color;
using Catch::Matchers::Contains;

namespace {

std::vector<double> histogram_on(const Tensor& ab, Device device) {
  Tensor counts = empty_ab_histogram(device);
  accumulate_ab_histogram(counts, ab.to(device));
  return counts.cpu().to_vector<double>();
}

}  // namespace

TEST_CASE("the GPU histogram equals the CPU histogram", "[cuda][prior]") {
  Generator gen(21);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    INFO(dtype_name(dtype));
    // Uniform over (and beyond) the gamut, then a quarter of the pixels moved onto exact
    // midpoints and corners between bins, where only the shared tie rule decides.
    Tensor ab = rand({3, 2, 37, 53}, gen, TensorOptions{}.with_dtype(dtype), -130, 130);
    std::vector<double> v = ab.to_vector<double>();
    for (size_t i = 0; i < v.size(); i += 4) v[i] = 5.0 + 10.0 * std::round(v[i] / 10.0);
    v[1] = std::numeric_limits<double>::quiet_NaN();
    v[2] = std::numeric_limits<double>::infinity();
    ab = from_vector(v, ab.shape()).to(dtype);
    const std::vector<double> cpu = histogram_on(ab, Device::cpu());
    CHECK(histogram_on(ab, Device::cuda()) == cpu);
    double total = 0;
    for (double c : cpu) total += c;
    CHECK(total == 3 * 37 * 53 - 2);  // the NaN and infinite pixels are not counted
  }
}

TEST_CASE("the GPU histogram reads Lab slices in place and large inputs exactly", "[cuda][prior]") {
  Generator gen(22);
  const Tensor lab = rand({4, 3, 300, 400}, gen, {}, -110, 110);  // 480k pixels, many blocks
  const Tensor gpu_lab = lab.to(Device::cuda());
  Tensor counts = empty_ab_histogram(Device::cuda());
  accumulate_ab_histogram(counts, gpu_lab.slice(1, 1, 3));
  accumulate_ab_histogram(counts, gpu_lab.slice(1, 1, 3));  // accumulates
  std::vector<double> cpu = histogram_on(lab.slice(1, 1, 3), Device::cpu());
  for (double& c : cpu) c *= 2;
  CHECK(counts.cpu().to_vector<double>() == cpu);
  CHECK(sum(counts).item() == 2.0 * 4 * 300 * 400);
}

TEST_CASE("uint8 images through Lab give the same histogram on both devices", "[cuda][prior]") {
  Generator gen(23);
  const Tensor image = randint(0, 256, {2, 120, 160, 3}, gen).to(DType::UInt8);
  Tensor cpu_counts = empty_ab_histogram(), gpu_counts = empty_ab_histogram(Device::cuda());
  accumulate_ab_histogram(cpu_counts, rgb8_to_lab(image).slice(1, 1, 3));
  accumulate_ab_histogram(gpu_counts, rgb8_to_lab(image.to(Device::cuda())).slice(1, 1, 3));
  const std::vector<double> c = cpu_counts.to_vector<double>(),
                            g = gpu_counts.cpu().to_vector<double>();
  // The devices' cbrt/pow may differ in the last bit, which moves a pixel only if its ab lies
  // within that bit of a boundary between bins: allow a handful of the 38400 pixels.
  double moved = 0, total = 0;
  for (size_t q = 0; q < c.size(); ++q) moved += std::fabs(c[q] - g[q]), total += g[q];
  CHECK(total == 2 * 120 * 160);
  CHECK(moved <= 8);
}

TEST_CASE("the histogram must live on the device of ab", "[cuda][prior]") {
  Tensor cpu_counts = empty_ab_histogram();
  CHECK_THROWS_WITH(
      accumulate_ab_histogram(cpu_counts,
                              zeros({1, 2, 4, 4}, TensorOptions{}.with_device(Device::cuda()))),
      Contains("ab is on cuda:0 but counts is on cpu"));
  const ColorPrior prior = prior_from_counts(empty_ab_histogram(Device::cuda()) + 1.0);
  CHECK(prior.pixels == kNumBins);  // prior_from_counts takes counts from any device
}
