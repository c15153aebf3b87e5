// RAII wrappers of the cuDNN descriptors tint uses, so no code path leaks one when a check
// throws. Only for CUDA translation units.
#pragma once

#include <cstdint>

#include "framework/core/dtype.h"
#include "framework/cuda/check.h"

namespace tint::cuda {

inline cudnnDataType_t cudnn_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return CUDNN_DATA_FLOAT;
    case DType::Float64: return CUDNN_DATA_DOUBLE;
    case DType::BFloat16: return CUDNN_DATA_BFLOAT16;
    default: TINT_FAIL("cuDNN: unsupported dtype ", dtype_name(dtype));
  }
}

// What cuDNN computes (accumulates) in for data of a dtype: float32 for bfloat16.
inline cudnnDataType_t compute_type(DType dtype) {
  return dtype == DType::BFloat16 ? CUDNN_DATA_FLOAT : cudnn_type(dtype);
}

// The dtype of cuDNN's scaling factors (alpha, beta) and of batch norm's per-channel
// parameters and statistics for data of a dtype: float64 for float64, float32 otherwise.
inline DType cudnn_scaling_dtype(DType dtype) {
  return dtype == DType::Float64 ? DType::Float64 : DType::Float32;
}

class TensorDescriptor {
 public:
  // nhwc: the dense channels_last layout (framework/tensor/layout.h) of the same logical
  // N x C x H x W tensor; else contiguous NCHW.
  TensorDescriptor(DType dtype, int64_t n, int64_t c, int64_t h, int64_t w, bool nhwc = false) {
    TINT_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc_));
    TINT_CUDNN_CHECK(cudnnSetTensor4dDescriptor(desc_, nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW,
                                                cudnn_type(dtype),
                                                static_cast<int>(n), static_cast<int>(c),
                                                static_cast<int>(h), static_cast<int>(w)),
                     "(tensor ", n, "x", c, "x", h, "x", w, ")");
  }
  ~TensorDescriptor() { cudnnDestroyTensorDescriptor(desc_); }
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  cudnnTensorDescriptor_t get() const { return desc_; }

 private:
  cudnnTensorDescriptor_t desc_ = nullptr;
};

class FilterDescriptor {
 public:
  // nhwc: a filter K x C x h x w laid out as K x h x w x C (channels_last).
  FilterDescriptor(DType dtype, int64_t k, int64_t c, int64_t h, int64_t w, bool nhwc = false) {
    TINT_CUDNN_CHECK(cudnnCreateFilterDescriptor(&desc_));
    TINT_CUDNN_CHECK(cudnnSetFilter4dDescriptor(desc_, cudnn_type(dtype),
                                                nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW,
                                                static_cast<int>(k), static_cast<int>(c),
                                                static_cast<int>(h), static_cast<int>(w)),
                     "(filter ", k, "x", c, "x", h, "x", w, ")");
  }
  ~FilterDescriptor() { cudnnDestroyFilterDescriptor(desc_); }
  FilterDescriptor(const FilterDescriptor&) = delete;
  FilterDescriptor& operator=(const FilterDescriptor&) = delete;
  cudnnFilterDescriptor_t get() const { return desc_; }

 private:
  cudnnFilterDescriptor_t desc_ = nullptr;
};

// The convolution math type for data of a dtype (see ConvolutionDescriptor).
inline cudnnMathType_t math_type(DType dtype, bool allow_tf32) {
  if (dtype == DType::BFloat16) return CUDNN_TENSOR_OP_MATH;
  return dtype == DType::Float32 && allow_tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
}

class ConvolutionDescriptor {
 public:
  ConvolutionDescriptor(DType dtype, int64_t pad_h, int64_t pad_w, int64_t stride_h,
                        int64_t stride_w, int64_t dil_h, int64_t dil_w, bool allow_tf32) {
    TINT_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&desc_));
    TINT_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(
        desc_, static_cast<int>(pad_h), static_cast<int>(pad_w), static_cast<int>(stride_h),
        static_cast<int>(stride_w), static_cast<int>(dil_h), static_cast<int>(dil_w),
        CUDNN_CROSS_CORRELATION, compute_type(dtype)));
    // The math type the heuristics list algorithms for: DEFAULT_MATH lets cuDNN use TF32
    // tensor cores for fp32; 16-bit data needs TENSOR_OP_MATH for tensor cores at all (with
    // DEFAULT_MATH cuDNN 9 listed FMA kernels for bfloat16: the backward ~38x slower than TF32
    // on an H100, docs/device-log.md run 6);
    // FMA_MATH forbids them.
    TINT_CUDNN_CHECK(cudnnSetConvolutionMathType(desc_, math_type(dtype, allow_tf32)));
  }
  ~ConvolutionDescriptor() { cudnnDestroyConvolutionDescriptor(desc_); }
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
  cudnnConvolutionDescriptor_t get() const { return desc_; }

 private:
  cudnnConvolutionDescriptor_t desc_ = nullptr;
};

}  // namespace tint::cuda
