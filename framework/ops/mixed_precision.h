// The bfloat16 mixed-precision path of the ops: which ops take bfloat16 tensors and how.
// nn::settings().autocast_bfloat16 (framework/nn/settings.h) casts a convolution's input,
// weight and bias to bfloat16, so the activations between layers are bfloat16 while the
// parameters stay float32 masters (the cast's backward hands them float32 gradients). The
// ops those activations meet then take bfloat16:
//   - natively on the GPU, computing in float32 and rounding each output once: conv2d and
//     conv_transpose2d (cuDNN, float32 accumulation, tensor cores), bias_relu, batch_norm2d
//     (cuDNN, float32 statistics; bfloat16 input with float32 weight, bias and running stats),
//     dropout (the counter-based mask, the CPU's);
//   - everywhere else, and on the CPU always, through float32 (through_float32 below): the
//     bfloat16 operands are cast to float32, the float32 op runs, and its result is cast back
//     to bfloat16. This is the CPU twin of the native kernels (same inputs, one rounding of
//     the float32 result) and the fallback that makes relu, upsampling, add and the other
//     elementwise ops accept bfloat16.
// bfloat16 keeps float32's exponent range, so no loss scaling is needed (gradients do not
// underflow as float16's would); losses take float32 logits (the colorizers cast theirs).
#pragma once

#include <type_traits>
#include <utility>

#include "framework/tensor/tensor.h"

namespace tint {

inline bool is_bfloat16(const Tensor& t) { return t.defined() && t.dtype() == DType::BFloat16; }

// A float32 view of a bfloat16 tensor (differentiable cast); anything else unchanged.
inline Tensor float32_if_bfloat16(const Tensor& t) {
  return is_bfloat16(t) ? t.to(DType::Float32) : t;
}
template <typename T, typename = std::enable_if_t<!std::is_same_v<std::decay_t<T>, Tensor>>>
const T& float32_if_bfloat16(const T& value) {
  return value;
}

// fn(args...) with every bfloat16 tensor among args cast to float32, and the result cast
// back to bfloat16. Differentiable: gradients flow back through both casts.
template <typename Fn, typename... Args>
Tensor through_float32(Fn&& fn, const Args&... args) {
  return std::forward<Fn>(fn)(float32_if_bfloat16(args)...).to(DType::BFloat16);
}

}  // namespace tint
