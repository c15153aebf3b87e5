// Ways to make a tensor: filled (zeros, ones, full), ranges, seeded random, and copies of
// host data (a std::vector or a raw buffer).
#pragma once

#include <cstdint>
#include <vector>

#include "framework/core/generator.h"
#include "framework/tensor/tensor.h"

namespace tint {

struct TensorOptions {
  DType dtype = DType::Float32;
  Device device = Device::cpu();
  bool requires_grad = false;

  TensorOptions& with_dtype(DType d) { dtype = d; return *this; }
  TensorOptions& with_device(Device d) { device = d; return *this; }
  TensorOptions& with_requires_grad(bool r = true) { requires_grad = r; return *this; }
};

inline TensorOptions options_of(const Tensor& t) { return {t.dtype(), t.device(), false}; }

Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
// [start, end) by step, like torch.arange.
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
inline Tensor arange(double end, TensorOptions options = {}) {
  return arange(0.0, end, 1.0, options);
}
// Uniform [low, high) and normal(mean, std) from a seeded generator (floating dtypes).
Tensor rand(const Shape& shape, Generator& gen, TensorOptions options = {}, double low = 0.0,
            double high = 1.0);
Tensor randn(const Shape& shape, Generator& gen, TensorOptions options = {}, double mean = 0.0,
             double std = 1.0);
Tensor rand(const Shape& shape, TensorOptions options = {});
Tensor randn(const Shape& shape, TensorOptions options = {});
// Uniform integers in [low, high) (int32 or int64).
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen,
               TensorOptions options = TensorOptions{}.with_dtype(DType::Int64));

// Copies the host values into a new tensor of that shape (dtype from T unless given).
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, TensorOptions options);
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
  return from_vector(values, shape, TensorOptions{}.with_dtype(dtype_of<T>));
}
// Copies numel(shape) elements of dtype from a host buffer.
Tensor from_buffer(const void* data, const Shape& shape, DType dtype,
                   Device device = Device::cpu());
Tensor scalar_tensor(double value, TensorOptions options = {});

}  // namespace tint
