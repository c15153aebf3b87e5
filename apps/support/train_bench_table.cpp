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

const json* tint_row_of(const json& rows, const json& row) {
  for (const json& r : rows)
    if (ok(r) && r["framework"] == "tint" && same_group(r, row)) return &r;
  return nullptr;
}

const json* fastest_torch_row(const json& rows, const json& row) {
  const json* best = nullptr;
  for (const json& r : rows)
    if (ok(r) && r["framework"] == "torch" && same_group(r, row) &&
        (!best || r["images_per_s"].get<double>() > (*best)["images_per_s"].get<double>()))
      best = &r;
  return best;
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
    const json* tint = tint_row_of(rows, row);
    if (!tint) continue;
    if (row["framework"] == "torch") {
      set_ratios(row, *tint, row);
    } else if (const json* best = fastest_torch_row(rows, row)) {
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

std::string train_target_verdict(const json& rows, const std::string& mode) {
  bool compared = false, met = true;
  for (const json& row : rows) {
    if (!ok(row) || row["framework"] != "tint") continue;
    const json* other = nullptr;
    if (mode.empty()) {
      other = fastest_torch_row(rows, row);
    } else {
      for (const json& r : rows)
        if (ok(r) && r["framework"] == "torch" && r["mode"] == mode && same_group(r, row))
          other = &r;
    }
    if (!other) continue;
    compared = true;
    met = met && row["images_per_s"].get<double>() >= (*other)["images_per_s"].get<double>() &&
          row["peak_mb"].get<double>() <= (*other)["peak_mb"].get<double>();
  }
  return !compared ? "not measured" : met ? "met" : "not met";
}

}  // namespace tint::apps
