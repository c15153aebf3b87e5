// Argument checks shared by the public ops. Each failure is a tint::Error that names the
// op, the argument, and what was expected versus what was given.
#pragma once

#include <initializer_list>

#include "framework/tensor/tensor.h"

namespace tint {

void check_defined(const Tensor& t, const char* op, const char* what);
void check_floating(const Tensor& t, const char* op, const char* what);
void check_rank(const Tensor& t, int64_t rank, const char* op, const char* what);
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op, const char* what_a,
                      const char* what_b);
void check_same_device(const Tensor& a, const Tensor& b, const char* op, const char* what_a,
                       const char* what_b);
void check_same_shape(const Tensor& a, const Tensor& b, const char* op, const char* what_a,
                      const char* what_b);

}  // namespace tint
