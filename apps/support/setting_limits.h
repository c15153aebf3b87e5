// The bounds of every numeric setting of the colorization apps, in one place: the flags check
// them when parsing (flag_checks.h) and the library checks its configs against the same ones
// (TrainConfig, ClassifierTrainConfig, EvaluateConfig, ColorizeOptions), so both refuse the
// same values in the same words. The upper bounds sit well beyond any useful run: past them
// a setting only ever ends in running out of memory or time, or in numbers cast out of range.
#pragma once

#include <cstdint>

#include "models/colorizer.h"
#include "models/small_vgg.h"
#include "setting_range.h"

namespace tint::apps::limits {

// Colorizer input side (train_colorizer, colorize, evaluate): the networks' stride is 8;
// 4096 is far beyond the report's 176.
inline constexpr WholeRange kImageSize{8, 4096, models::kInputMultiple};
// small-vgg input side (train_classifier): stride 8 too.
inline constexpr WholeRange kClassifierSize{8, 1024, models::SmallVgg::kDownsampling};
// compute_prior --size: images resized to N x N before counting (no stride to respect).
inline constexpr WholeRange kPriorSize{1, 4096};
// Images per batch.
inline constexpr WholeRange kBatch{1, 4096};
// small-vgg trains with batch norm: at least 2 images per batch.
inline constexpr WholeRange kClassifierBatch{2, 4096};
inline constexpr WholeRange kEpochs{1, 1'000'000};
inline constexpr WholeRange kIters{1, 1'000'000'000};
// --report-every, --save-every: in epochs.
inline constexpr WholeRange kEveryEpochs{1, 1'000'000};
// Validation images in a training grid PNG (0: no grid).
inline constexpr WholeRange kGridImages{0, 256};
// Image decoding threads (0: automatic).
inline constexpr WholeRange kDecodeThreads{0, 256};

// --max-pixels: images over this many pixels (width x height) are refused from their header
// (image_folder.h); a number such as 4e8, at most 1e12.
inline constexpr NumberRange kMaxPixels{1, 1e12, false, false};

// Adam's learning rate: each step moves a weight by up to about lr, so above 1 nothing
// trains.
inline constexpr NumberRange kLearningRate{0, 1, true, false};
// L2 weight decay added to the gradient.
inline constexpr NumberRange kWeightDecay{0, 1, false, false};
// Weight of the uniform distribution in the rebalancing prior (Zhang eq. 4).
inline constexpr NumberRange kLambda{0, 1, false, false};
// compute_prior's Gaussian smoothing sigma in ab units (0: none); the ab plane spans ~220.
inline constexpr NumberRange kPriorSigma{0, 1000, false, false};
// Annealed-mean temperature: towards 0 the mode, 1 the mean; above 1 flatter than the mean,
// with nothing gained past 10.
inline constexpr NumberRange kTemperature{0, 10, true, false};
// Width multipliers: the models' own limits (models/colorizer.h, models/small_vgg.h).
inline constexpr NumberRange kColorizerWidth{0, models::kMaxWidth, true, false};
inline constexpr NumberRange kClassifierWidth{0, models::SmallVgg::kMaxWidth, true, false};

}  // namespace tint::apps::limits
