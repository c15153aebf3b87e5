// Element types a Tensor can hold, their sizes and names, and the dispatch macros that turn
// a runtime DType into a compile-time scalar_t.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "framework/core/error.h"
#include "framework/core/bfloat16.h"

namespace tint {

// BFloat16 is a storage type (framework/core/bfloat16.h): created, copied, cast and saved;
// compute ops take Float32 or Float64, except those of the bfloat16 mixed-precision path
// (framework/ops/mixed_precision.h).
enum class DType : uint8_t { Float32, Float64, Int32, Int64, UInt8, BFloat16 };

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
template <> struct DTypeOf<bfloat16> { static constexpr DType value = DType::BFloat16; };
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

// Same, with bfloat16 too (scalar_t = tint::bfloat16; compute in acc_t<scalar_t>): for the
// kernels of the mixed-precision path (framework/ops/mixed_precision.h).
#define TINT_DISPATCH_FLOATING_BF16(dtype, op_name, ...)                              \
  [&] {                                                                               \
    switch (dtype) {                                                                  \
      TINT_DTYPE_CASE(Float32, float, __VA_ARGS__)                                    \
      TINT_DTYPE_CASE(Float64, double, __VA_ARGS__)                                   \
      TINT_DTYPE_CASE(BFloat16, ::tint::bfloat16, __VA_ARGS__)                        \
      default:                                                                        \
        TINT_FAIL(op_name, ": expected a floating dtype (float32, float64 or "        \
                  "bfloat16), got ", ::tint::dtype_name(dtype));                      \
    }                                                                                 \
  }()

// The cases of the dtypes tint computes with.
#define TINT_DTYPE_COMPUTE_CASES(...)             \
  TINT_DTYPE_CASE(Float32, float, __VA_ARGS__)    \
  TINT_DTYPE_CASE(Float64, double, __VA_ARGS__)   \
  TINT_DTYPE_CASE(Int32, int32_t, __VA_ARGS__)    \
  TINT_DTYPE_CASE(Int64, int64_t, __VA_ARGS__)    \
  TINT_DTYPE_CASE(UInt8, uint8_t, __VA_ARGS__)

// Same for every dtype tint computes with (not the storage-only bfloat16, which is a
// tint::Error naming op_name).
#define TINT_DISPATCH_ALL(dtype, op_name, ...)                                         \
  [&] {                                                                                \
    switch (dtype) {                                                                   \
      TINT_DTYPE_COMPUTE_CASES(__VA_ARGS__)                                            \
      default: break;                                                                  \
    }                                                                                  \
    TINT_FAIL(op_name, ": ", ::tint::dtype_name(dtype),                                \
              " tensors are for storage only; cast to float32 first");                 \
  }()

// Every dtype, bfloat16 included (scalar_t = tint::bfloat16, which converts explicitly to
// and from the arithmetic types): for the ops that only move or convert values (copy, cast,
// fill, to_vector).
#define TINT_DISPATCH_STORAGE(dtype, op_name, ...)                                     \
  [&] {                                                                                \
    switch (dtype) {                                                                   \
      TINT_DTYPE_COMPUTE_CASES(__VA_ARGS__)                                            \
      TINT_DTYPE_CASE(BFloat16, ::tint::bfloat16, __VA_ARGS__)                         \
    }                                                                                  \
    TINT_FAIL(op_name, ": unknown dtype");                                             \
  }()
