// CPU/GPU parity of the Lab conversions (kernels/lab.h) on random inputs: float32 and float64
// planar RGB and Lab (out-of-gamut Lab included), uint8 images batched and not. Device
// outputs start as NaN (TINT_CUDA_SENTINEL), so a pixel the kernel skips cannot pass.
#include <catch2/catch.hpp>

#include "framework/tint.h"
#include "kernels/lab.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

namespace {

// A random Lab batch: L in [0, 100), a and b in [-128, 127).
Tensor random_lab(const Shape& shape, uint64_t seed, DType dtype) {
  const Tensor L = cpu_leaf({shape[0], 1, shape[2], shape[3]}, seed, dtype, 0.0, 100.0);
  const Tensor ab = cpu_leaf({shape[0], 2, shape[2], shape[3]}, seed + 1, dtype, -128.0, 127.0);
  return cat({L.detach(), ab.detach()}, 1);
}

Tensor random_image(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  return randint(0, 256, shape, gen).to(DType::UInt8);
}

}  // namespace

TEST_CASE("lab conversions match the cpu", "[cuda][lab]") {
  // Odd sizes so the last block is partial; N = 2 exercises the batch stride.
  const Shape shape = {2, 3, 37, 53};
  // Tolerances: the device's cbrt/pow differ from the host's by an ulp or two and nvcc
  // contracts multiply-adds; a = 500 (fx - fy) scales an ulp of f (6e-8) to 3e-5.
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const bool f64 = dtype == DType::Float64;
    INFO(dtype_name(dtype));
    const Tensor rgb = cpu_leaf(shape, 1, dtype, 0.0, 1.0);
    CHECK(parity([](const Xs& x) { return color::rgb_to_lab(x[0]); }, {rgb}, f64 ? 1e-12 : 1e-5,
                 f64 ? 1e-10 : 5e-4) == "");
    const Tensor lab = random_lab(shape, 2, dtype);
    CHECK(parity([](const Xs& x) { return color::lab_to_rgb(x[0]); }, {lab}, f64 ? 1e-12 : 1e-5,
                 f64 ? 1e-12 : 1e-5) == "");
    // uint8 output: a value right at a rounding tie may land one step apart.
    CHECK(parity([](const Xs& x) { return color::lab_to_rgb8(x[0]); }, {lab}, 0.0, 1.0) == "");
    // Strided (non-contiguous) input.
    CHECK(parity([](const Xs& x) { return color::rgb_to_lab(x[0].transpose(2, 3)); }, {rgb},
                 f64 ? 1e-12 : 1e-5, f64 ? 1e-10 : 5e-4) == "");
  }
  for (const Shape& image_shape : {Shape{41, 29, 3}, Shape{3, 17, 19, 3}}) {
    const Tensor image = random_image(image_shape, 3);
    CHECK(parity([](const Xs& x) { return color::rgb8_to_lab(x[0]); }, {image}, 1e-5, 5e-4) ==
          "");
    // uint8 -> Lab -> uint8 is the identity on both devices.
    const Tensor back = color::lab_to_rgb8(color::rgb8_to_lab(image.to(Device::cuda())));
    CHECK(back.cpu().to_vector<uint8_t>() == image.to_vector<uint8_t>());
  }
}
