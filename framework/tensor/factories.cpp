// Tensor factories. Values are made on the host and copied to the target device, so random
// tensors are identical on every device for a given seed.
#include "framework/tensor/factories.h"

#include <cmath>

#include "framework/core/random_math.h"
#include "framework/ops/cpu/fill.h"
#include "framework/ops/cuda/fill.h"
#include "framework/ops/dispatch.h"

namespace tint {

namespace {

Tensor finish(Tensor t, const TensorOptions& options) {
  if (!options.device.is_cpu()) t = t.to(options.device);
  if (options.requires_grad) t.set_requires_grad(true);
  return t;
}

template <typename Fn>
Tensor fill_host(const Shape& shape, DType dtype, Fn value_at) {
  Tensor t = Tensor::empty(shape, dtype);
  TINT_DISPATCH_STORAGE(dtype, "fill", [&] {
    scalar_t* p = t.data<scalar_t>();
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(value_at(i));
  });
  return t;
}

void check_shape(const Shape& shape, const char* what) {
  for (int64_t s : shape)
    TINT_CHECK(s >= 0, what, ": shape ", shape_str(shape), " has a negative size");
}

}  // namespace

Tensor full(const Shape& shape, double value, TensorOptions options) {
  check_shape(shape, "full");
  // Filled where it lives: on a GPU by a kernel on the device's stream (no host buffer, no
  // copy).
  Tensor t = Tensor::empty(shape, options.dtype, options.device);
  TINT_DEVICE_CALL(options.device, fill_contiguous, t, value);
  if (options.requires_grad) t.set_requires_grad(true);
  return t;
}
Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1.0, options); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), options_of(t)); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), options_of(t)); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, options_of(t)); }

Tensor arange(double start, double end, double step, TensorOptions options) {
  TINT_CHECK(step != 0, "arange: step must not be zero");
  const double count = std::ceil((end - start) / step);
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  return finish(fill_host({n}, options.dtype, [&](int64_t i) { return start + step * i; }),
                options);
}

Tensor rand(const Shape& shape, Generator& gen, TensorOptions options, double low,
            double high) {
  check_shape(shape, "rand");
  TINT_CHECK(is_floating(options.dtype), "rand: expected a floating dtype, got ",
             dtype_name(options.dtype));
  const uint64_t seed = gen.seed();
  const uint64_t first = gen.take(shape_numel(shape));
  return finish(fill_host(shape, options.dtype, [&](int64_t i) {
                  return low + (high - low) * rnd::uniform(seed, first + i);
                }),
                options);
}

Tensor randn(const Shape& shape, Generator& gen, TensorOptions options, double mean,
             double std) {
  check_shape(shape, "randn");
  TINT_CHECK(is_floating(options.dtype), "randn: expected a floating dtype, got ",
             dtype_name(options.dtype));
  const uint64_t seed = gen.seed();
  const uint64_t first = gen.take(shape_numel(shape));
  return finish(fill_host(shape, options.dtype, [&](int64_t i) {
                  return mean + std * rnd::normal(seed, first + i);
                }),
                options);
}

Tensor rand(const Shape& shape, TensorOptions options) {
  return rand(shape, default_generator(), options);
}
Tensor randn(const Shape& shape, TensorOptions options) {
  return randn(shape, default_generator(), options);
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen,
               TensorOptions options) {
  TINT_CHECK(high > low, "randint: empty range [", low, ", ", high, ")");
  TINT_CHECK(options.dtype == DType::Int32 || options.dtype == DType::Int64,
             "randint: expected int32 or int64, got ", dtype_name(options.dtype));
  const uint64_t seed = gen.seed();
  const uint64_t first = gen.take(shape_numel(shape));
  const uint64_t span = static_cast<uint64_t>(high - low);
  return finish(fill_host(shape, options.dtype, [&](int64_t i) {
                  return static_cast<double>(low + static_cast<int64_t>(
                                                       rnd::bits(seed, first + i) % span));
                }),
                options);
}

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, TensorOptions options) {
  check_shape(shape, "from_vector");
  TINT_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector: ",
             values.size(), " values do not fill shape ", shape_str(shape));
  return finish(fill_host(shape, options.dtype, [&](int64_t i) { return values[i]; }), options);
}
template Tensor from_vector(const std::vector<float>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<double>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<int32_t>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<int64_t>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<uint8_t>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<bfloat16>&, const Shape&, TensorOptions);

Tensor from_buffer(const void* data, const Shape& shape, DType dtype, Device device) {
  check_shape(shape, "from_buffer");
  Tensor t = Tensor::empty(shape, dtype);
  copy_bytes(t.raw_data(), Device::cpu(), data, Device::cpu(), t.nbytes());
  return device.is_cpu() ? t : t.to(device);
}

Tensor scalar_tensor(double value, TensorOptions options) { return full({}, value, options); }

}  // namespace tint
