// bench_train's derived columns (ratios against tint, the FLOP floor, % of it) and its
// table; see train_bench_table.h.
#include "train_bench_table.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace tint::apps {

using nlohmann::json;

namespace {

bool ok(const json& row) {
  return row.value("status", "") == "ok";
}

bool same_group(const json& a, const json& b) {
  return a["model"] == b["model"] && a["batch"] == b["batch"];
}

bool is_bf16(const json& row) { return row.value("precision", "") == "bf16"; }

// The fastest ok row of a framework in row's group whose mode starts with mode_prefix ("":
// any; "bf16" takes bf16 and bf16_nhwc).
const json* fastest_row(const json& rows, const json& row, const char* framework,
                        const std::string& mode_prefix = "") {
  const json* best = nullptr;
  for (const json& r : rows)
    if (ok(r) && r["framework"] == framework && same_group(r, row) &&
        r["mode"].get<std::string>().rfind(mode_prefix, 0) == 0 &&
        (!best || r["images_per_s"].get<double>() > (*best)["images_per_s"].get<double>()))
      best = &r;
  return best;
}

// The tint row a PyTorch row is compared with: tint's fastest of the same precision class
// (bf16 with bf16, float32/TF32 with float32/TF32: tint's modes start with their class) when
// there is one, else tint's fastest.
const json* counterpart_tint_row(const json& rows, const json& torch_row) {
  const json* same = fastest_row(rows, torch_row, "tint", is_bf16(torch_row) ? "bf16" : "fp32");
  return same ? same : fastest_row(rows, torch_row, "tint");
}

void set_ratios(json& row, const json& tint, const json& other) {
  row["speed_ratio"] = tint["images_per_s"].get<double>() / other["images_per_s"].get<double>();
  row["memory_ratio"] = tint["peak_mb"].get<double>() / other["peak_mb"].get<double>();
}

std::string cell(const json& row, const char* key, const char* format, const char* mark = "") {
  if (!row.contains(key) || !row[key].is_number()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, row[key].get<double>());
  return std::string(buf) + mark;
}

}  // namespace

std::string flops_key(const std::string& model, int64_t batch) {
  return model + "/" + std::to_string(batch);
}

void add_derived_columns(json& rows, const json& forward_flops, const json& rates) {
  for (json& row : rows) {
    if (!ok(row)) continue;
    const std::string key = flops_key(row["model"].get<std::string>(), row["batch"].get<int64_t>());
    const std::string precision = row.value("precision", "");
    if (forward_flops.contains(key) && forward_flops[key].is_number()) {
      const double step = kStepFlopsPerForward * forward_flops[key].get<double>();
      row["step_flops"] = step;
      if (rates.contains(precision) && rates[precision].is_number() && step > 0) {
        const double rate = rates[precision].get<double>();
        const double floor_s = step / (rate * 1e12);
        row["rate_tflops"] = rate;
        row["floor_images_per_s"] = row["batch"].get<double>() / floor_s;
        row["floor_pct"] =
            100.0 * row["images_per_s"].get<double>() / row["floor_images_per_s"].get<double>();
      }
    }
  }
  for (json& row : rows) {
    if (!ok(row)) continue;
    if (row["framework"] == "torch") {
      if (const json* tint = counterpart_tint_row(rows, row)) {
        set_ratios(row, *tint, row);
        row["ratio_of"] = (*tint)["mode"];
      }
    } else if (const json* best = fastest_row(rows, row, "torch")) {
      set_ratios(row, row, *best);
      row["ratio_against"] = (*best)["mode"];
    }
  }
}

void print_train_table(const json& rows) {
  // Grouped by model (in the order first run), then batch, then as run.
  std::vector<std::string> models;
  for (const json& r : rows)
    if (std::find(models.begin(), models.end(), r["model"].get<std::string>()) == models.end())
      models.push_back(r["model"].get<std::string>());
  const auto model_index = [&](const json* r) {
    return std::find(models.begin(), models.end(), (*r)["model"].get<std::string>()) -
           models.begin();
  };
  std::vector<const json*> order;
  for (const json& r : rows) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [&](const json* a, const json* b) {
    if (model_index(a) != model_index(b)) return model_index(a) < model_index(b);
    return (*a)["batch"].get<int64_t>() < (*b)["batch"].get<int64_t>();
  });
  std::printf("%-7s %5s %-9s %-18s %-4s %10s %9s %9s %10s %11s %7s %10s\n", "model", "batch",
              "framework", "mode", "prec", "img/s", "peak MB", "tint/this", "mem t/this",
              "floor img/s", "% floor", "loss0");
  for (const json* p : order) {
    const json& r = *p;
    std::printf("%-7s %5lld %-9s %-18s %-4s ", r["model"].get<std::string>().c_str(),
                static_cast<long long>(r["batch"].get<int64_t>()),
                r["framework"].get<std::string>().c_str(), r["mode"].get<std::string>().c_str(),
                r.value("precision", "").c_str());
    if (!ok(r)) {
      std::printf("%s%s%s\n", r.value("status", "?").c_str(), r.contains("reason") ? ": " : "",
                  r.value("reason", "").c_str());
      continue;
    }
    const char* mark = r["framework"] == "tint" ? "*" : "";
    std::printf("%10.2f %9.1f %9s %10s %11s %7s %10s\n", r["images_per_s"].get<double>(),
                r["peak_mb"].get<double>(), cell(r, "speed_ratio", "%.2f", mark).c_str(),
                cell(r, "memory_ratio", "%.2f", mark).c_str(),
                cell(r, "floor_images_per_s", "%.1f").c_str(), cell(r, "floor_pct", "%.1f").c_str(),
                cell(r, "first_loss", "%.2f").c_str());
  }
}

std::string train_target_verdict(const json& rows, const TrainTarget& target) {
  bool compared = false, met = true;
  const auto judge = [&](const json& tint, const json& torch) {
    compared = true;
    if (target.speed_factor > 0)
      met = met && tint["images_per_s"].get<double>() >=
                       target.speed_factor * torch["images_per_s"].get<double>();
    if (target.memory) met = met && tint["peak_mb"].get<double>() <= torch["peak_mb"].get<double>();
  };
  for (const json& row : rows) {
    // One comparison per group, with the group's fastest tint row of the target's modes.
    if (!ok(row) || row["framework"] != "tint" ||
        fastest_row(rows, row, "tint", target.tint_mode) != &row)
      continue;
    if (target.tint_mode.empty()) {  // tint's fastest against PyTorch's fastest of torch_mode
      if (const json* other = fastest_row(rows, row, "torch", target.torch_mode))
        judge(row, *other);
      continue;
    }
    for (const json& r : rows)  // against torch_mode, or every PyTorch row of its class
      if (ok(r) && r["framework"] == "torch" && same_group(r, row) &&
          (target.torch_mode.empty() ? is_bf16(r) == is_bf16(row)
                                     : r["mode"] == target.torch_mode))
        judge(row, r);
  }
  return !compared ? "not measured" : met ? "met" : "not met";
}

std::vector<std::pair<std::string, TrainTarget>> train_targets() {
  return {
      // The issue of the float32 path: tint float32 against PyTorch eager.
      {"tint fp32 >= PyTorch eager img/s at <= its memory", {"fp32", "eager", 1.0, true}},
      // The mixed-precision issue: tint's fastest mode against PyTorch's; memory per mode.
      {"tint's fastest >= 1.3x PyTorch eager img/s", {"", "eager", 1.3, false}},
      {"tint's fastest >= PyTorch's fastest mode img/s", {"", "", 1.0, false}},
      {"tint bf16 memory <= PyTorch's bf16 modes'", {"bf16", "", 0.0, true}},
  };
}

}  // namespace tint::apps
