// Per-element math of the elementwise ops, forward and backward, shared by the CPU loops
// and the CUDA kernels. Backward functions take the input x, the output y and the incoming
// gradient g, and return dL/dx.
#pragma once

#include <cmath>

#include "framework/core/hd.h"

namespace tint::math {

enum class UnaryOp { Neg, Exp, Log, Sqrt, Abs, Relu, Sigmoid, Tanh };
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Max, GeMask };

// Calls CALL(K) with K the compile-time op matching the runtime op; used by the CPU and CUDA
// launchers to instantiate one kernel per op.
#define TINT_UNARY_SWITCH(op, CALL)                               \
  switch (op) {                                                   \
    case ::tint::math::UnaryOp::Neg: CALL(::tint::math::UnaryOp::Neg);         \
    case ::tint::math::UnaryOp::Exp: CALL(::tint::math::UnaryOp::Exp);         \
    case ::tint::math::UnaryOp::Log: CALL(::tint::math::UnaryOp::Log);         \
    case ::tint::math::UnaryOp::Sqrt: CALL(::tint::math::UnaryOp::Sqrt);       \
    case ::tint::math::UnaryOp::Abs: CALL(::tint::math::UnaryOp::Abs);         \
    case ::tint::math::UnaryOp::Relu: CALL(::tint::math::UnaryOp::Relu);       \
    case ::tint::math::UnaryOp::Sigmoid: CALL(::tint::math::UnaryOp::Sigmoid); \
    case ::tint::math::UnaryOp::Tanh: CALL(::tint::math::UnaryOp::Tanh);       \
  }

#define TINT_BINARY_SWITCH(op, CALL)                                 \
  switch (op) {                                                      \
    case ::tint::math::BinaryOp::Add: CALL(::tint::math::BinaryOp::Add);       \
    case ::tint::math::BinaryOp::Sub: CALL(::tint::math::BinaryOp::Sub);       \
    case ::tint::math::BinaryOp::Mul: CALL(::tint::math::BinaryOp::Mul);       \
    case ::tint::math::BinaryOp::Div: CALL(::tint::math::BinaryOp::Div);       \
    case ::tint::math::BinaryOp::Pow: CALL(::tint::math::BinaryOp::Pow);       \
    case ::tint::math::BinaryOp::Max: CALL(::tint::math::BinaryOp::Max);       \
    case ::tint::math::BinaryOp::GeMask: CALL(::tint::math::BinaryOp::GeMask); \
  }

// ReLU as PyTorch computes it: zero where x <= 0, so a NaN passes through (NaN <= 0 is
// false) instead of becoming 0 and hiding a diverged run; its gradient flows where the
// output is not <= 0 (torch's threshold_backward on the result), so y > 0 and NaN.
template <typename T>
TINT_HD T relu_value(T x) {
  return x <= T(0) ? T(0) : x;
}
template <typename T>
TINT_HD T relu_grad(T grad_out, T out) {
  return out <= T(0) ? T(0) : grad_out;
}

template <UnaryOp Op, typename T>
TINT_HD T unary_forward(T x) {
  if constexpr (Op == UnaryOp::Neg) return -x;
  else if constexpr (Op == UnaryOp::Exp) return std::exp(x);
  else if constexpr (Op == UnaryOp::Log) return std::log(x);
  else if constexpr (Op == UnaryOp::Sqrt) return std::sqrt(x);
  else if constexpr (Op == UnaryOp::Abs) return x < T(0) ? -x : x;
  else if constexpr (Op == UnaryOp::Relu) return relu_value(x);
  else if constexpr (Op == UnaryOp::Sigmoid) return T(1) / (T(1) + std::exp(-x));
  else return std::tanh(x);
}

// Which backward formulas read the input x (the others read only the output y, so the op's
// autograd node need not keep x alive).
constexpr bool unary_backward_reads_input(UnaryOp op) {
  return op == UnaryOp::Log || op == UnaryOp::Abs;
}

template <UnaryOp Op, typename T>
TINT_HD T unary_backward(T x, T y, T g) {
  if constexpr (Op == UnaryOp::Neg) return -g;
  else if constexpr (Op == UnaryOp::Exp) return g * y;
  else if constexpr (Op == UnaryOp::Log) return g / x;
  else if constexpr (Op == UnaryOp::Sqrt) return g / (T(2) * y);
  else if constexpr (Op == UnaryOp::Abs) return x > T(0) ? g : (x < T(0) ? -g : T(0));
  else if constexpr (Op == UnaryOp::Relu) return relu_grad(g, y);
  else if constexpr (Op == UnaryOp::Sigmoid) return g * y * (T(1) - y);
  else return g * (T(1) - y * y);
}

template <BinaryOp Op, typename T>
TINT_HD T binary_forward(T a, T b) {
  if constexpr (Op == BinaryOp::Add) return a + b;
  else if constexpr (Op == BinaryOp::Sub) return a - b;
  else if constexpr (Op == BinaryOp::Mul) return a * b;
  else if constexpr (Op == BinaryOp::Div) return a / b;
  else if constexpr (Op == BinaryOp::Pow) return std::pow(a, b);
  else if constexpr (Op == BinaryOp::Max) return a >= b ? a : b;
  else return a >= b ? T(1) : T(0);
}

template <typename T>
TINT_HD T clamp_forward(T x, T lo, T hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

template <typename T>
TINT_HD T clamp_backward(T x, T lo, T hi, T g) {
  return (x >= lo && x <= hi) ? g : T(0);
}

}  // namespace tint::math
