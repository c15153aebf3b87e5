// Output folders outside input folders, outputs that are not inputs, and run folders that are
// never replaced by surprise (output_guard.h).
#include "output_guard.h"

#include <algorithm>
#include <system_error>

#include "framework/core/error.h"

namespace tint::apps {

namespace fs = std::filesystem;

namespace {

fs::path resolved(const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path).lexically_normal();
  return p;
}

// Whether name matches pattern, where one '*' in pattern stands for any run of characters.
bool matches_pattern(const std::string& name, const std::string& pattern) {
  const size_t star = pattern.find('*');
  if (star == std::string::npos) return name == pattern;
  const std::string head = pattern.substr(0, star), tail = pattern.substr(star + 1);
  return name.size() >= head.size() + tail.size() && name.compare(0, head.size(), head) == 0 &&
         name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
}

std::string list_names(const std::vector<fs::path>& files, size_t most) {
  std::string text;
  for (size_t i = 0; i < files.size() && i < most; ++i)
    text += (i ? ", " : "") + files[i].filename().string();
  if (files.size() > most) text += ", ...";
  return text;
}

}  // namespace

bool path_is_within(const fs::path& path, const fs::path& folder) {
  const fs::path p = resolved(path), f = resolved(folder);
  auto pi = p.begin();
  for (auto fi = f.begin(); fi != f.end(); ++fi, ++pi) {
    if (fi->empty()) continue;  // a trailing separator
    if (pi == p.end() || *pi != *fi) return false;
  }
  return true;
}

void check_output_outside_input(const fs::path& out, const char* out_flag, const fs::path& input,
                                const char* input_flag) {
  TINT_CHECK(!path_is_within(out, input), out_flag, " ", out.string(), " is inside ", input_flag,
             " ", input.string(), ": what this run writes there would be read as input by the "
             "next run; choose an output folder outside it");
}

void check_output_not_an_input(const fs::path& out, const char* out_flag,
                               const std::vector<fs::path>& inputs) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return;
  for (const fs::path& input : inputs)
    TINT_CHECK(!fs::equivalent(out, input, ec), out_flag, " ", out.string(),
               " is the input image ", input.string(),
               out.string() == input.string() ? "" : " (the same file by another name)",
               "; writing it would destroy the photo; give another file name");
}

bool RunFileNames::matches(const std::string& filename) const {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return matches_pattern(filename, p); });
}

std::vector<fs::path> earlier_run_files(const fs::path& folder, const RunFileNames& names) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;
    if (names.matches(it->path().filename().string())) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<fs::path> claim_run_folder(const fs::path& out, const RunFileNames& names,
                                       bool overwrite, bool can_resume,
                                       const std::vector<fs::path>& keep) {
  std::error_code ec;
  TINT_CHECK(!fs::exists(out, ec) || fs::is_directory(out, ec), "the output folder ",
             out.string(), " is a file, not a folder; choose another --out");
  std::vector<fs::path> earlier = earlier_run_files(out, names);
  if (earlier.empty()) return {};
  TINT_CHECK(overwrite, "the output folder ", out.string(), " already holds a run (",
             list_names(earlier, 4), "); ",
             can_resume ? "continue it with --resume, replace it with --overwrite"
                        : "replace it with --overwrite",
             ", or choose another --out");
  std::vector<fs::path> removed;
  for (const fs::path& file : earlier) {
    const bool kept = std::any_of(keep.begin(), keep.end(), [&](const fs::path& k) {
      std::error_code eq_ec;
      return fs::exists(k, eq_ec) && fs::equivalent(k, file, eq_ec);
    });
    if (kept) continue;
    std::error_code rm_ec;
    fs::remove(file, rm_ec);
    TINT_CHECK(!rm_ec, "--overwrite: cannot remove the earlier run's ", file.string(), " (",
               rm_ec.message(), ")");
    removed.push_back(file);
  }
  return removed;
}

fs::path fresh_run_folder(const fs::path& base, const RunFileNames& names) {
  if (earlier_run_files(base, names).empty()) return base;
  for (int n = 2;; ++n) {
    fs::path candidate = base;
    candidate += "-" + std::to_string(n);
    if (earlier_run_files(candidate, names).empty()) return candidate;
  }
}

}  // namespace tint::apps
