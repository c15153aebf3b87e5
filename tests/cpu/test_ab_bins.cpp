// The 313 ab bins: loading and validating the centre file, finding data files, and the exact
// O(1) lookups. nearest() and the K-nearest candidate tables are compared with a brute-force
// scan of all 313 centres (squared float distance, ties to the lower index) on a dense sweep,
// exact grid points, exact midpoints (ties), far-out-of-gamut and random points.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "framework/tint.h"
#include "temp_dir.h"
#include "kernels/ab_bins.h"

using namespace tint;
using namespace tint::color;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// The nearest bin by scanning all centres; ties keep the first (lowest index).
template <typename T>
int64_t brute_nearest(const AbBins& bins, T a, T b) {
  int64_t best = 0;
  T best_d = 0;
  for (int64_t q = 0; q < bins.size(); ++q) {
    const T da = a - static_cast<T>(bins.a(q)), db = b - static_cast<T>(bins.b(q));
    const T d = da * da + db * db;
    if (q == 0 || d < best_d) {
      best = q;
      best_d = d;
    }
  }
  return best;
}

// The k nearest by sorting all centres by (squared distance, index).
template <typename T>
std::vector<int32_t> brute_k_nearest(const AbBins& bins, T a, T b, int k) {
  std::vector<std::pair<T, int32_t>> d;
  for (int32_t q = 0; q < bins.size(); ++q) {
    const T da = a - static_cast<T>(bins.a(q)), db = b - static_cast<T>(bins.b(q));
    d.push_back({da * da + db * db, q});
  }
  std::sort(d.begin(), d.end());
  std::vector<int32_t> out;
  for (int j = 0; j < k; ++j) out.push_back(d[j].second);
  return out;
}

// The fixed-capacity lookup the kernels use (ab_k_nearest_fixed), as a vector.
template <int Cap, typename T>
std::vector<int32_t> fixed_k_nearest(const math::BinTable& t, T a, T b, int k,
                                     std::vector<T>* dist_out) {
  T dist[Cap];
  int32_t idx[Cap];
  math::ab_k_nearest_fixed<Cap, T>(t, a, b, k, dist, idx);
  dist_out->assign(dist, dist + k);
  return std::vector<int32_t>(idx, idx + k);
}

// The table's k nearest; also checks that the fixed-capacity lookup (capacity 8 for k <= 8,
// else 32) gives the same bins and distances.
template <typename T>
std::vector<int32_t> table_k_nearest(const math::BinTable& t, T a, T b, int k) {
  T dist[math::kMaxNeighbours];
  int32_t idx[math::kMaxNeighbours];
  math::ab_k_nearest<T>(t, a, b, k, dist, idx);
  const std::vector<int32_t> general(idx, idx + k);
  std::vector<T> fixed_dist;
  const std::vector<int32_t> fixed =
      k <= math::kSmallNeighbours
          ? fixed_k_nearest<math::kSmallNeighbours, T>(t, a, b, k, &fixed_dist)
          : fixed_k_nearest<math::kMaxNeighbours, T>(t, a, b, k, &fixed_dist);
  REQUIRE(fixed == general);
  REQUIRE(fixed_dist == std::vector<T>(dist, dist + k));
  return general;
}

// Points where lookups are hardest: exact centres, midpoints between centres (two- and
// four-way ties), quarter points, the gamut's surroundings and far outside.
std::vector<std::pair<float, float>> structured_points() {
  std::vector<std::pair<float, float>> p;
  for (int a = -150; a <= 150; a += 5)
    for (int b = -150; b <= 150; b += 5) p.push_back({float(a), float(b)});
  for (float a = -130; a <= 130; a += 2.5f)
    for (float b = -130; b <= 130; b += 7.5f) p.push_back({a, b});
  for (float far : {170.0f, -170.0f, 400.0f, -1000.0f, 1e5f, -1e6f})
    for (float other : {0.0f, 55.0f, -95.0f, far}) {
      p.push_back({far, other});
      p.push_back({other, far});
    }
  // Just inside and outside the gridded square's edges, and float-rounding neighbours of
  // midpoints.
  for (float e : {-160.0f, 150.0f, 159.99f, -160.01f})
    for (float o : {-5.0f, 45.0f}) p.push_back({e, o});
  for (float m : {5.0f, -45.0f, 95.0f})
    for (float o : {15.0f, -25.0f}) {
      p.push_back({std::nextafter(m, 1e9f), o});
      p.push_back({std::nextafter(m, -1e9f), o});
    }
  return p;
}

using tint::testing::TempDir;

std::string standard_text() {
  std::ifstream in(std::string(TINT_SOURCE_DIR) + "/data/ab_bins_313.txt");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("the standard bins are the 313 centres of data/ab_bins_313.txt, in file order",
          "[bins]") {
  const AbBins& bins = AbBins::standard();
  REQUIRE(bins.size() == kNumBins);
  std::istringstream in(standard_text());
  for (int64_t q = 0; q < kNumBins; ++q) {
    float a = 0, b = 0;
    in >> a >> b;
    REQUIRE(bins.a(q) == a);
    REQUIRE(bins.b(q) == b);
  }
  CHECK(bins.a(0) == -90.0f);
  CHECK(bins.b(0) == 50.0f);
  const Tensor c = bins.centers();
  CHECK(c.shape() == Shape{313, 2});
  CHECK(c.dtype() == DType::Float32);
  const std::vector<float> v = c.to_vector<float>();
  CHECK(v[2 * 7] == bins.a(7));
  CHECK(v[2 * 312 + 1] == bins.b(312));
  // Each centre is its own nearest bin.
  for (int64_t q = 0; q < kNumBins; ++q) CHECK(bins.nearest(bins.a(q), bins.b(q)) == q);
}

TEST_CASE("nearest equals a brute-force scan on a dense sweep of [-120, 120]^2", "[bins]") {
  const AbBins& bins = AbBins::standard();
  int64_t mismatches = 0;
  for (int i = 0; i <= 960; ++i) {
    for (int j = 0; j <= 960; ++j) {
      const float a = -120.0f + 0.25f * i, b = -120.0f + 0.25f * j;
      if (bins.nearest(a, b) != brute_nearest(bins, a, b) && mismatches++ < 5)
        FAIL_CHECK("mismatch at (" << a << ", " << b << ")");
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("nearest equals brute force at grid points, ties, far points and random floats",
          "[bins]") {
  const AbBins& bins = AbBins::standard();
  for (const auto& [a, b] : structured_points()) {
    INFO("(" << a << ", " << b << ")");
    REQUIRE(bins.nearest(a, b) == brute_nearest(bins, a, b));
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> wide(-200.0f, 200.0f), narrow(-0.01f, 0.01f);
  for (int i = 0; i < 200000; ++i) {
    const float a = wide(rng), b = wide(rng);
    REQUIRE(bins.nearest(a, b) == brute_nearest(bins, a, b));
  }
  // Within a hair of the midpoints, where rounding decides.
  for (int i = 0; i < 50000; ++i) {
    const float a = 5.0f + 10.0f * float(i % 21 - 10) + narrow(rng);
    const float b = 10.0f * float(i / 21 % 21 - 10) + narrow(rng);
    REQUIRE(bins.nearest(a, b) == brute_nearest(bins, a, b));
  }
  // A midpoint tie goes to the lower index: (0, 5) lies between (0, 0) and (0, 10).
  const int64_t lo = bins.nearest(0, 0), hi = bins.nearest(0, 10);
  CHECK(bins.nearest(0, 5) == std::min(lo, hi));
  // NaN takes the brute-force path and yields bin 0 rather than reading out of bounds.
  CHECK(bins.nearest(std::nanf(""), 3.0f) == 0);
}

TEST_CASE("the candidate tables give exactly the brute-force k nearest, ties included",
          "[bins]") {
  const AbBins& bins = AbBins::standard();
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> wide(-180.0f, 180.0f);
  std::uniform_real_distribution<double> wide64(-180.0, 180.0);
  for (int k : {1, 2, 3, 4, 5, 8, 10, 16, 32}) {
    INFO("k = " << k);
    const math::BinTable t = bins.table(k);
    CHECK(t.k == k);
    CHECK(t.count == 313);
    for (const auto& [a, b] : structured_points()) {
      INFO("(" << a << ", " << b << ")");
      REQUIRE(table_k_nearest<float>(t, a, b, k) == brute_k_nearest<float>(bins, a, b, k));
    }
    for (int i = 0; i < 6000; ++i) {
      const float a = wide(rng), b = wide(rng);
      REQUIRE(table_k_nearest<float>(t, a, b, k) == brute_k_nearest<float>(bins, a, b, k));
      const double a64 = wide64(rng), b64 = wide64(rng);
      REQUIRE(table_k_nearest<double>(t, a64, b64, k) ==
              brute_k_nearest<double>(bins, a64, b64, k));
    }
    // A table for k serves every smaller k too.
    if (k >= 5)
      for (const auto& [a, b] : structured_points())
        REQUIRE(table_k_nearest<float>(t, a, b, 3) == brute_k_nearest<float>(bins, a, b, 3));
  }
  // At a centre with K = 3 the four neighbours at distance 10 tie: the two lowest indices win.
  const int64_t centre = bins.nearest(0, 0);
  std::vector<int32_t> ring;
  for (auto [da, db] : {std::pair{10, 0}, {-10, 0}, {0, 10}, {0, -10}})
    ring.push_back(static_cast<int32_t>(bins.nearest(float(da), float(db))));
  std::sort(ring.begin(), ring.end());
  CHECK(table_k_nearest<float>(bins.table(3), 0.0f, 0.0f, 3) ==
        std::vector<int32_t>{static_cast<int32_t>(centre), ring[0], ring[1]});
}

TEST_CASE("the candidate lists are short, and tables are built once per k and device",
          "[bins]") {
  const AbBins& bins = AbBins::standard();
  for (int k : {1, 5, 10}) {
    const math::BinTable t = bins.table(k);
    const int64_t cells = int64_t(t.cells) * t.cells;
    int32_t longest = 0;
    for (int64_t c = 0; c < cells; ++c)
      longest = std::max(longest, t.offsets[c + 1] - t.offsets[c]);
    INFO("k = " << k << ": " << t.offsets[cells] << " candidates in " << cells
                << " cells, longest list " << longest);
    // Measured: k = 1 at most 7 (3.5 on average), k = 5 at most 14, k = 10 at most 20.
    CHECK(longest <= 2 * k + 10);
    CHECK(double(t.offsets[cells]) / double(cells) <= 2.0 * k + 2);
  }
  CHECK(bins.table(5).offsets == bins.table(5).offsets);
  CHECK(bins.table(5).candidates != bins.table(6).candidates);
  CHECK_THROWS_WITH(bins.table(0), Contains("k must be in [1, 32], got 0"));
  CHECK_THROWS_WITH(bins.table(33), Contains("got 33"));
}

TEST_CASE("AbBins::load names the file and line of every defect", "[bins]") {
  const TempDir dir;
  const std::string good = standard_text();
  const AbBins copy = AbBins::load(dir.write("good.txt", good));
  CHECK(copy.size() == 313);
  CHECK(copy.nearest(12.0f, -33.0f) == AbBins::standard().nearest(12.0f, -33.0f));

  CHECK_THROWS_WITH(AbBins::load((dir.path / "missing.txt").string()),
                    Contains("the bin-centre file") && Contains("missing.txt does not exist"));
  // Line 3 replaced by junk.
  std::istringstream in(good);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto join = [](const std::vector<std::string>& ls) {
    std::string s;
    for (const auto& l : ls) s += l + "\n";
    return s;
  };
  auto with_line3 = [&](const std::string& text) {
    std::vector<std::string> ls = lines;
    ls[2] = text;
    return join(ls);
  };
  CHECK_THROWS_WITH(AbBins::load(dir.write("junk.txt", with_line3("-90 seventy"))),
                    Contains("junk.txt line 3") && Contains("expected two numbers"));
  CHECK_THROWS_WITH(AbBins::load(dir.write("three.txt", with_line3("-90 70 1"))),
                    Contains("three.txt line 3"));
  CHECK_THROWS_WITH(AbBins::load(dir.write("off.txt", with_line3("-90 75"))),
                    Contains("off.txt line 3") && Contains("not on the 10-unit grid"));
  CHECK_THROWS_WITH(AbBins::load(dir.write("dup.txt", with_line3(lines[0]))),
                    Contains("dup.txt line 3") && Contains("listed twice"));
  std::vector<std::string> short_list(lines.begin(), lines.end() - 1);
  CHECK_THROWS_WITH(AbBins::load(dir.write("short.txt", join(short_list))),
                    Contains("short.txt holds 312 bin centres, expected 313"));
  // Blank lines are allowed.
  CHECK(AbBins::load(dir.write("blank.txt", "\n" + good + "\n\n")).size() == 313);
}

TEST_CASE("find_data_file prefers TINT_DATA_DIR and lists the places it tried", "[bins]") {
  const TempDir dir;
  const char* saved = std::getenv("TINT_DATA_DIR");
  const std::string saved_value = saved ? saved : "";
  dir.write("ab_bins_313.txt", standard_text());
  ::setenv("TINT_DATA_DIR", dir.path.c_str(), 1);
  CHECK(find_data_file("ab_bins_313.txt") == (dir.path / "ab_bins_313.txt").string());
  CHECK_THROWS_WITH(find_data_file("no_such_file.bin"),
                    Contains("no_such_file.bin is in none of") &&
                        Contains(dir.path.string()) && Contains("TINT_DATA_DIR"));
  ::unsetenv("TINT_DATA_DIR");
  // Without the variable the source tree's data/ is found.
  CHECK(fs::equivalent(find_data_file("ab_bins_313.txt"),
                       std::string(TINT_SOURCE_DIR) + "/data/ab_bins_313.txt"));
  if (saved) ::setenv("TINT_DATA_DIR", saved_value.c_str(), 1);
}
