// The rows of apps/bench_train and their derived columns: one row per (model, batch,
// framework, mode) run; to each measured row it adds the ratio of tint against it, the floor
// (the training step's FLOPs at the device's measured dense matrix rate, as images/s) and
// the share of that floor the row reaches; then prints them as one table.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tint::apps {

// A training step's FLOPs as bench_train estimates them: forward + input gradient + weight
// gradient, each about the forward's multiply-adds (convolutions and matmuls only).
constexpr int kStepFlopsPerForward = 3;

// rows: a JSON array of objects with "model", "batch", "framework" ("tint" or "torch"),
// "mode", "precision" (the rate its floor uses: "fp32", "tf32" or "bf16"), "status" ("ok",
// or why not: "unavailable", "failed", "timed out", "skipped") and, when ok,
// "images_per_s", "peak_mb". forward_flops: {"<model>/<batch>": FLOPs}; rates:
// {"<precision>": TFLOP/s} (either may lack entries: those columns stay empty). Adds to each
// ok row "step_flops", "rate_tflops", "floor_images_per_s", "floor_pct" where known, and
// "speed_ratio" / "memory_ratio": tint's images/s and peak over this row's; on tint's own row
// over the fastest ok PyTorch row of its model and batch, whose mode goes in "ratio_against".
void add_derived_columns(nlohmann::json& rows, const nlohmann::json& forward_flops,
                         const nlohmann::json& rates);

// Prints the rows (sorted by model, batch, then as run) with a header line.
void print_train_table(const nlohmann::json& rows);

// "met", "not met", or "not measured" when no tint row has an ok PyTorch row to compare
// with: whether tint has at least the throughput at no more peak memory than the PyTorch
// rows of mode `mode` ("" = the fastest PyTorch mode of each model and batch).
std::string train_target_verdict(const nlohmann::json& rows, const std::string& mode);

// The key of forward_flops: "<model>/<batch>".
std::string flops_key(const std::string& model, int64_t batch);

}  // namespace tint::apps
