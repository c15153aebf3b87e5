// bfloat16: the 16-bit brain floating point format (float32's sign and 8 exponent bits, 7
// mantissa bits), a storage type for mixed precision: tensors of DType::BFloat16 are created,
// copied, cast and saved (safetensors BF16); compute ops take float32 or float64 and refuse
// it by name. Conversion from float rounds to nearest, ties to even (overflow goes to inf);
// NaN stays NaN (made quiet, sign kept); other types convert through float (so double ->
// bfloat16 rounds twice, as PyTorch's c10::BFloat16 does). Host and device (TINT_HD).
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "framework/core/hd.h"

namespace tint {

TINT_HD uint16_t bfloat16_bits_from_float(float value) {
  uint32_t u;
  std::memcpy(&u, &value, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even
  return static_cast<uint16_t>(u >> 16);
}

TINT_HD float float_from_bfloat16_bits(uint16_t bits) {
  const uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

struct bfloat16 {
  uint16_t bits = 0;

  bfloat16() = default;
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  TINT_HD explicit bfloat16(T value) : bits(bfloat16_bits_from_float(static_cast<float>(value))) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  TINT_HD explicit operator T() const {
    return static_cast<T>(float_from_bfloat16_bits(bits));
  }
};

static_assert(sizeof(bfloat16) == 2, "bfloat16 is 2 bytes");

// The type a kernel computes in for elements of type T: float for bfloat16 (loaded with
// static_cast<float>, stored back rounded with static_cast<bfloat16>), T itself otherwise.
template <typename T> struct AccumulateOf { using type = T; };
template <> struct AccumulateOf<bfloat16> { using type = float; };
template <typename T> using acc_t = typename AccumulateOf<T>::type;

}  // namespace tint
