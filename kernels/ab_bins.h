// The 313 quantised ab bins of Zhang et al. (data/ab_bins_313.txt, in the canonical order
// that published 313-way weights use): loading, exact nearest-bin lookup, and the lookup
// tables the soft-encoding kernels use. Everything colour-related lives in tint::color.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/tensor/tensor.h"
#include "kernels/math/ab_bins.h"

namespace tint::color {

constexpr int64_t kNumBins = 313;

class AbBins {
 public:
  // Reads "a b" pairs, one per line; a missing file, a malformed line, a count other than 313
  // or centres off the 10-unit grid are each a tint::Error naming the file and line.
  // Blank lines are skipped; a centre listed twice is an error too.
  static AbBins load(const std::string& path);
  // data/ab_bins_313.txt of the source tree or the installed share/tint/ folder (see
  // find_data_file). Loaded once; the object lives until the program ends.
  static const AbBins& standard();

  int64_t size() const { return static_cast<int64_t>(a_.size()); }
  float a(int64_t q) const { return a_[q]; }
  float b(int64_t q) const { return b_[q]; }
  // The centres as a (313, 2) float32 tensor on the cpu (column 0 = a, 1 = b).
  Tensor centers() const;
  // Exact nearest bin (squared Euclidean distance; ties go to the lower index), O(1).
  int64_t nearest(float a, float b) const;

  // The candidate table that makes the k nearest bins exact and O(1) (1 <= k <=
  // math::kMaxNeighbours), with its arrays on the given device. Built on first use per
  // (k, device) and kept; the pointers stay valid as long as this object (or a copy) lives.
  math::BinTable table(int64_t k, Device device = Device::cpu()) const;

 private:
  struct Tables;  // the per-(k, device) cache, shared by copies

  AbBins(std::vector<float> a, std::vector<float> b);

  std::vector<float> a_, b_;
  std::shared_ptr<Tables> tables_;
  math::BinTable nearest_;  // the host table for k = 1, used by nearest()
};

// The path of a file under the project's data/ folder, looked for in order in
// $TINT_DATA_DIR, the source tree's data/ (fixed at build time), <exe>/../share/tint (an
// installed program) and the configured install prefix's share/tint. A tint::Error listing
// every place tried when none holds it.
std::string find_data_file(const std::string& name);

}  // namespace tint::color
