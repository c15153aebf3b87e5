// Element types a Tensor can hold, their sizes and names, and the dispatch macros that turn
// a runtime DType into a compile-time scalar_t.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "framework/core/error.h"

namespace tint {

enum class DType : uint8_t { Float32, Float64, Int32, Int64, UInt8 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
bool is_floating(DType dtype);
std::ostream& operator<<(std::ostream& os, DType dtype);

template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::Float32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::Float64; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::UInt8; };
template <typename T> inline constexpr DType dtype_of = DTypeOf<T>::value;

}  // namespace tint

#define TINT_DTYPE_CASE(enum_value, type, ...) \
  case ::tint::DType::enum_value: {            \
    using scalar_t = type;                     \
    return __VA_ARGS__();                      \
  }

// Runs the lambda (given as the last argument) with scalar_t bound to float or double;
// any other dtype is a tint::Error naming op_name.
#define TINT_DISPATCH_FLOATING(dtype, op_name, ...)                                   \
  [&] {                                                                               \
    switch (dtype) {                                                                  \
      TINT_DTYPE_CASE(Float32, float, __VA_ARGS__)                                    \
      TINT_DTYPE_CASE(Float64, double, __VA_ARGS__)                                   \
      default:                                                                        \
        TINT_FAIL(op_name, ": expected a floating dtype (float32 or float64), got ",  \
                  ::tint::dtype_name(dtype));                                         \
    }                                                                                 \
  }()

// Same for every dtype tint knows.
#define TINT_DISPATCH_ALL(dtype, op_name, ...)         \
  [&] {                                                \
    switch (dtype) {                                   \
      TINT_DTYPE_CASE(Float32, float, __VA_ARGS__)     \
      TINT_DTYPE_CASE(Float64, double, __VA_ARGS__)    \
      TINT_DTYPE_CASE(Int32, int32_t, __VA_ARGS__)     \
      TINT_DTYPE_CASE(Int64, int64_t, __VA_ARGS__)     \
      TINT_DTYPE_CASE(UInt8, uint8_t, __VA_ARGS__)     \
    }                                                  \
    TINT_FAIL(op_name, ": unknown dtype");             \
  }()
