// The rows of apps/bench_train and their derived columns: one row per (model, batch,
// framework, mode) run; to each measured row it adds the ratio of tint against it, the floor
// (the training step's FLOPs at the device's measured dense matrix rate, as images/s) and
// the share of that floor the row reaches; then prints them as one table.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

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
// "speed_ratio" / "memory_ratio": on a PyTorch row, tint's images/s and peak over this row's,
// tint's row being that of the same precision class (bf16 modes with tint's bf16 row, eager
// with tint's float32 one, else tint's first; its mode goes in "ratio_of"); on a tint row,
// its own over the fastest ok PyTorch row of its model and batch ("ratio_against").
void add_derived_columns(nlohmann::json& rows, const nlohmann::json& forward_flops,
                         const nlohmann::json& rates);

// Prints the rows (sorted by model, batch, then as run) with a header line.
void print_train_table(const nlohmann::json& rows);

// A target of the table. tint_mode "" compares each model and batch's fastest tint row with
// the fastest PyTorch row of torch_mode ("" = any mode): img/s >= speed_factor x PyTorch's.
// tint_mode "fp32" or "bf16" compares tint's fastest row whose mode starts so (fp32,
// fp32_nhwc; bf16, bf16_nhwc) with the PyTorch rows of torch_mode ("" = every mode of the same
// precision class: bf16 with channels_last_bf16 and compiled): img/s >= speed_factor x
// theirs (when speed_factor > 0) and, with memory, peak MB <= theirs.
struct TrainTarget {
  std::string tint_mode, torch_mode;
  double speed_factor = 1.0;
  bool memory = false;
};

// "met", "not met", or "not measured" when no row pair it names was measured.
std::string train_target_verdict(const nlohmann::json& rows, const TrainTarget& target);

// The targets bench_train prints, each with its one-line description.
std::vector<std::pair<std::string, TrainTarget>> train_targets();

// The key of forward_flops: "<model>/<batch>".
std::string flops_key(const std::string& model, int64_t batch);

}  // namespace tint::apps
