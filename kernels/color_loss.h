// The colorization losses (report eq. 1 and 2, Zhang et al. eq. 2-4): the class-rebalanced
// multinomial cross-entropy against soft-encoded ab targets, as one fused autograd op, and
// the L2 regression loss. ab is always in Lab units (not scaled), (N, 2, H, W).
#pragma once

#include <cstdint>

#include "framework/tensor/tensor.h"
#include "kernels/ab_bins.h"

namespace tint::color {

enum class LossReduction {
  None,         // per-pixel losses, (N, loss_h, loss_w)
  Sum,          // sum over all pixels of the batch
  Mean,         // sum / (number of pixels N * loss_h * loss_w), as PyTorch's mean
  PerImageSum,  // sum / N: each image's sum over its pixels, averaged over the batch (the
                // report's scale)
};

// Where the loss is computed when the logits are coarser than the ab target (the networks
// predict at H/4 x W/4).
enum class TargetResolution {
  // The report's choice: at the ab's resolution H x W; logits pixel (y * h / H, x * w / W)
  // serves ab pixel (y, x), i.e. a nearest-neighbour upsampling of the logits by the whole
  // factor H / h, done by indexing inside the kernel (never materialised).
  Full,
  // Zhang's: at the logits' resolution h x w, against the ab subsampled by taking the
  // pixel (i * H / h, j * W / w), as Zhang's released training net does (a 1x1 stride-4
  // convolution with unit weights), rather than averaging the block.
  Subsampled,
};

struct ColorLossOptions {
  // Soft-encoding: neighbours (1..32; paper and report 5, Zhang's released layer 10) and
  // Gaussian width in ab units.
  int64_t k = 5;
  double sigma = 5.0;
  LossReduction reduction = LossReduction::PerImageSum;
  TargetResolution target_resolution = TargetResolution::Full;
  // Zhang's released training: an image with no |a| or |b| above grey_threshold anywhere in
  // its (full-resolution) ab contributes zero loss. Its pixels still count in Mean's
  // denominator and its images in PerImageSum's.
  bool grey_mask = false;
  double grey_threshold = 5.0;
  const AbBins* bins = nullptr;  // nullptr: AbBins::standard() (the op keeps its own copy)
};

// logits (N, 313, h, w); ab (N, 2, H, W) ground truth with H, W whole multiples of h, w (or
// equal), the logits' dtype and device; class_weights (313) of the same dtype and device,
// or undefined for the unweighted ("Class") variant.
// Per pixel: -v * sum_k z_k * log_softmax(logits)[idx_k], with (idx_k, z_k) the pixel's
// soft-encoding and v = class_weights[q*], q* = argmax_q z = the nearest bin (v = 1 when
// unweighted). Gradient to the logits only: v * (softmax - z) times the incoming gradient
// over the reduction's denominator. NaN or infinite logits or ab are a tint::Error.
Tensor rebalanced_cross_entropy(const Tensor& logits, const Tensor& ab,
                                const Tensor& class_weights,
                                const ColorLossOptions& options = {});

// The report's eq. 1: per pixel 1/2 ||pred_ab - ab||^2 over the two channels; same shapes
// (N, 2, H, W), dtype and device. Reductions as above (Mean divides by N * H * W pixels).
// Differentiable in pred_ab (and in ab, should it require a gradient).
Tensor l2_color_loss(const Tensor& pred_ab, const Tensor& ab,
                     LossReduction reduction = LossReduction::PerImageSum);

}  // namespace tint::color
