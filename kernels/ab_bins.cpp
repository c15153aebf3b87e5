// AbBins: reading and validating the bin-centre file, finding data files, and building the
// per-cell candidate tables (kernels/math/ab_bins.h) that make nearest and K-nearest lookups
// exact in O(1). The tables are built in double precision on the host, once per K, and
// copied to a device on first use there.
#include "kernels/ab_bins.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "framework/core/error.h"
#include "framework/io/input_file.h"
#include "framework/tensor/factories.h"

namespace tint::color {

namespace {

constexpr double kGridStep = 10.0;  // bin centres sit on multiples of this
constexpr double kCell = 5.0;       // side of a lookup cell: half a grid step
constexpr double kMargin = 50.0;    // gridded square = bounding box of the centres + this
// Candidate lists keep every bin whose distance to the cell is within this (in ab units) of
// the bound below, so a point that rounding puts in a neighbouring cell, or float distances
// that differ from the exact ones in the last bits, cannot lose a true neighbour.
constexpr double kSlack = 0.05;

struct HostTable {
  float origin = 0;
  int32_t cells = 0;
  std::vector<int32_t> offsets, candidates;
};

// For every cell, the bins whose smallest distance to the cell is at most the k-th smallest
// largest distance D_k (plus kSlack). Why this is exact: for a point p in the cell, the k bins
// of smallest largest-distance are all within D_k of p, so p's k-th nearest distance is at
// most D_k; any bin among p's k nearest (ties included) is then within D_k of p, hence its
// distance to the cell is at most D_k and it is listed.
HostTable build_table(const std::vector<float>& a, const std::vector<float>& b, int64_t k) {
  const auto [amin, amax] = std::minmax_element(a.begin(), a.end());
  const auto [bmin, bmax] = std::minmax_element(b.begin(), b.end());
  const double lo = std::floor((std::min(*amin, *bmin) - kMargin) / kCell) * kCell;
  const double hi = std::ceil((std::max(*amax, *bmax) + kMargin) / kCell) * kCell;
  HostTable t;
  t.origin = static_cast<float>(lo);
  t.cells = static_cast<int32_t>(std::lround((hi - lo) / kCell));
  const size_t count = a.size();
  std::vector<double> near(count), far(count), far_sorted(count);
  t.offsets.reserve(static_cast<size_t>(t.cells) * t.cells + 1);
  t.offsets.push_back(0);
  for (int32_t ia = 0; ia < t.cells; ++ia) {
    const double a0 = lo + ia * kCell, a1 = a0 + kCell;
    for (int32_t ib = 0; ib < t.cells; ++ib) {
      const double b0 = lo + ib * kCell, b1 = b0 + kCell;
      for (size_t q = 0; q < count; ++q) {
        const double da_near = std::max({a0 - a[q], a[q] - a1, 0.0});
        const double db_near = std::max({b0 - b[q], b[q] - b1, 0.0});
        const double da_far = std::max(std::abs(a[q] - a0), std::abs(a[q] - a1));
        const double db_far = std::max(std::abs(b[q] - b0), std::abs(b[q] - b1));
        near[q] = std::sqrt(da_near * da_near + db_near * db_near);
        far[q] = std::sqrt(da_far * da_far + db_far * db_far);
      }
      far_sorted = far;
      std::nth_element(far_sorted.begin(), far_sorted.begin() + (k - 1), far_sorted.end());
      const double bound = far_sorted[k - 1] + kSlack;
      for (size_t q = 0; q < count; ++q)
        if (near[q] <= bound) t.candidates.push_back(static_cast<int32_t>(q));
      t.offsets.push_back(static_cast<int32_t>(t.candidates.size()));
    }
  }
  return t;
}

}  // namespace

// One table's arrays on one device, and the view of them that kernels get.
struct TableArrays {
  Tensor a, b, offsets, candidates;
  math::BinTable view;
};

struct AbBins::Tables {
  std::mutex mutex;
  std::map<int64_t, HostTable> host;                            // by k
  std::map<std::tuple<int64_t, int, int>, TableArrays> arrays;  // by (k, device type, index)
};

AbBins::AbBins(std::vector<float> a, std::vector<float> b)
    : a_(std::move(a)), b_(std::move(b)), tables_(std::make_shared<Tables>()) {
  nearest_ = table(1);
}

AbBins AbBins::load(const std::string& path) {
  // The file holds 313 short lines; anything over this is not a bin-centre file.
  constexpr uint64_t kMaxBytes = 1 << 20;
  std::istringstream in(read_regular_file(path, "AbBins::load: the bin-centre file", kMaxBytes));
  std::vector<float> a, b;
  std::set<std::pair<int, int>> seen;
  std::string line;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream ls(line);
    double va = 0, vb = 0;
    std::string rest;
    const bool two_numbers = static_cast<bool>(ls >> va >> vb) && !(ls >> rest);
    TINT_CHECK(two_numbers && std::isfinite(va) && std::isfinite(vb), "AbBins::load: ", path,
               " line ", line_no, ": expected two numbers \"a b\", got \"", line, "\"");
    const double ga = std::round(va / kGridStep) * kGridStep;
    const double gb = std::round(vb / kGridStep) * kGridStep;
    TINT_CHECK(ga == va && gb == vb, "AbBins::load: ", path, " line ", line_no, ": centre (", va,
               ", ", vb, ") is not on the ", kGridStep, "-unit grid");
    TINT_CHECK(seen.insert({static_cast<int>(ga), static_cast<int>(gb)}).second,
               "AbBins::load: ", path, " line ", line_no, ": centre (", va, ", ", vb,
               ") is listed twice");
    a.push_back(static_cast<float>(va));
    b.push_back(static_cast<float>(vb));
  }
  TINT_CHECK(static_cast<int64_t>(a.size()) == kNumBins, "AbBins::load: ", path, " holds ",
             a.size(), " bin centres, expected ", kNumBins);
  return AbBins(std::move(a), std::move(b));
}

const AbBins& AbBins::standard() {
  // Never destroyed: it may hold device tables, which must not be freed during static
  // teardown after the CUDA runtime has shut down.
  static const AbBins* bins = new AbBins(load(find_data_file("ab_bins_313.txt")));
  return *bins;
}

Tensor AbBins::centers() const {
  std::vector<float> ab;
  ab.reserve(a_.size() * 2);
  for (size_t q = 0; q < a_.size(); ++q) {
    ab.push_back(a_[q]);
    ab.push_back(b_[q]);
  }
  return from_vector(ab, {size(), 2});
}

int64_t AbBins::nearest(float a, float b) const { return math::ab_nearest<float>(nearest_, a, b); }

math::BinTable AbBins::table(int64_t k, Device device) const {
  TINT_CHECK(k >= 1 && k <= math::kMaxNeighbours, "AbBins::table: the number of neighbours k "
             "must be in [1, ", math::kMaxNeighbours, "], got ", k);
  std::lock_guard<std::mutex> lock(tables_->mutex);
  const auto key = std::make_tuple(k, static_cast<int>(device.type), device.index);
  auto found = tables_->arrays.find(key);
  if (found != tables_->arrays.end()) return found->second.view;

  auto host = tables_->host.find(k);
  if (host == tables_->host.end()) host = tables_->host.emplace(k, build_table(a_, b_, k)).first;
  const HostTable& h = host->second;
  TableArrays t;
  const int64_t n = size();
  t.a = from_vector(a_, {n}).to(device);
  t.b = from_vector(b_, {n}).to(device);
  t.offsets = from_vector(h.offsets, {static_cast<int64_t>(h.offsets.size())}).to(device);
  t.candidates =
      from_vector(h.candidates, {static_cast<int64_t>(h.candidates.size())}).to(device);
  math::BinTable& v = t.view;
  v.a = t.a.data_ptr<const float>();
  v.b = t.b.data_ptr<const float>();
  v.count = static_cast<int32_t>(n);
  v.origin = h.origin;
  v.cell = static_cast<float>(kCell);
  v.cells = h.cells;
  v.offsets = t.offsets.data_ptr<const int32_t>();
  v.candidates = t.candidates.data_ptr<const int32_t>();
  v.k = static_cast<int32_t>(k);
  return tables_->arrays.emplace(key, std::move(t)).first->second.view;
}

std::string find_data_file(const std::string& name) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("TINT_DATA_DIR"); env && *env) dirs.emplace_back(env);
#if defined(TINT_SOURCE_DATA_DIR)
  dirs.emplace_back(TINT_SOURCE_DATA_DIR);
#else
  // Without cmake/TintData.cmake: this file's own path, which CMake passes absolute.
  dirs.push_back(fs::path(__FILE__).parent_path().parent_path() / "data");
#endif
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / "tint");
#if defined(TINT_INSTALL_DATA_DIR)
  dirs.emplace_back(TINT_INSTALL_DATA_DIR);
#endif
  std::string tried;
  for (const fs::path& dir : dirs) {
    const fs::path p = dir / name;
    if (fs::is_regular_file(p, ec)) return p.string();
    tried += (tried.empty() ? "" : ", ") + dir.string();
  }
  TINT_FAIL("find_data_file: ", name, " is in none of ", tried,
            " (set TINT_DATA_DIR to the folder that holds it)");
}

}  // namespace tint::color
