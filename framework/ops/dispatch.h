// Picks the backend of an op by device: cuda::fn(args...) for tensors on a CUDA device (in a
// CUDA build), cpu::fn(args...) otherwise. Both namespaces declare identical signatures
// (cpu/<op>.h and cuda/<op>.h); without CUDA no tensor can live on a CUDA device, since
// allocating one is already an error.
#pragma once

#include "framework/core/device.h"
#include "framework/ops/op_profile.h"

#if defined(TINT_WITH_CUDA)
#define TINT_DEVICE_CALL_UNTIMED_IN(ns, device, fn, ...) \
  ((device).is_cuda() ? ns::cuda::fn(__VA_ARGS__) : ns::cpu::fn(__VA_ARGS__))
#else
#define TINT_DEVICE_CALL_UNTIMED_IN(ns, device, fn, ...) ns::cpu::fn(__VA_ARGS__)
#endif
// With the op profile on (framework/ops/op_profile.h), the call is timed under fn's name.
#define TINT_DEVICE_CALL_IN(ns, device, fn, ...)                                        \
  (::tint::op_profile::enabled()                                                        \
       ? ::tint::op_profile::timed(#fn, (device), [&]() -> decltype(auto) {             \
           return TINT_DEVICE_CALL_UNTIMED_IN(ns, device, fn, __VA_ARGS__);             \
         })                                                                             \
       : TINT_DEVICE_CALL_UNTIMED_IN(ns, device, fn, __VA_ARGS__))
// The framework's ops (tint::cpu / tint::cuda); TINT_DEVICE_CALL_IN serves other namespaces
// with their own cpu:: and cuda:: twins, e.g. the colorization kernels (tint::color).
#define TINT_DEVICE_CALL(device, fn, ...) TINT_DEVICE_CALL_IN(::tint, device, fn, __VA_ARGS__)

// The CUDA twin of a kernel as a value (a function pointer), or nullptr in a build without
// CUDA; for ops that pass kernels around. Select with device.is_cuda() ? cuda : cpu.
#if defined(TINT_WITH_CUDA)
#define TINT_CUDA_FN(fn) (&::tint::cuda::fn)
#else
#define TINT_CUDA_FN(fn) nullptr
#endif
