// CPU/GPU parity of the ab-bin kernels: nearest bins and soft-encoding (sparse and dense;
// exact indices, ties included, since both devices round the distances alike), the
// rebalanced cross-entropy forward and backward (both target resolutions, weighted and not,
// grey mask, every reduction), the L2 loss and the annealed mean. Device memory starts as
// NaN here, so an output a kernel forgets to write fails.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "framework/tint.h"
#include "kernels/annealed_mean.h"
#include "kernels/kernel_settings.h"
#include "kernels/color_loss.h"
#include "kernels/soft_encode.h"
#include "parity.h"

using namespace tint;
using namespace tint::color;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

namespace {

// ab (N, 2, H, W) mixing random values, exact centres, midpoints (ties) and far points;
// image 0 is grey (every |a|, |b| <= 4).
Tensor mixed_ab(int64_t n, int64_t h, int64_t w, uint64_t seed, DType dtype) {
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::uniform_real_distribution<double> u(-125, 125), g(-4, 4);
  std::uniform_int_distribution<int> grid(-24, 24), kind(0, 3);
  const int64_t plane = h * w;
  std::vector<double> v(static_cast<size_t>(n * 2 * plane));
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) {
    if (i < 2 * plane) {
      v[i] = g(rng);
      continue;
    }
    switch (kind(rng)) {
      case 0: v[i] = 10.0 * grid(rng); break;
      case 1: v[i] = 10.0 * grid(rng) + 5.0; break;
      case 2: v[i] = u(rng) * 3.0; break;
      default: v[i] = u(rng);
    }
  }
  return from_vector(v, {n, 2, h, w}).to(dtype);
}

void check_same(const Tensor& cpu_value, const Tensor& gpu_value, double tol) {
  REQUIRE(gpu_value.device().is_cuda());
  REQUIRE(cpu_value.shape() == gpu_value.shape());
  REQUIRE(cpu_value.dtype() == gpu_value.dtype());
  CHECK(max_abs_diff(cpu_value.to(DType::Float64), gpu_value.cpu().to(DType::Float64)) <= tol);
}

}  // namespace

TEST_CASE("nearest bins and soft-encoding match the cpu exactly", "[cuda][bins]") {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor ab = mixed_ab(3, 17, 23, 1, dtype);
    const Tensor ab_gpu = ab.to(Device::cuda());
    CHECK(nearest_bins(ab).to_vector<int64_t>() == nearest_bins(ab_gpu).to_vector<int64_t>());
    for (int64_t k : {1, 5, 10, 32}) {
      INFO("dtype " << dtype_name(dtype) << " k " << k);
      const SoftEncoding c = soft_encode(ab, {k, 5.0});
      const SoftEncoding g = soft_encode(ab_gpu, {k, 5.0});
      CHECK(c.indices.to_vector<int64_t>() == g.indices.to_vector<int64_t>());
      check_same(c.weights, g.weights, dtype == DType::Float32 ? 1e-6 : 1e-13);
      check_same(soft_encode_dense(ab, {k, 3.0}), soft_encode_dense(ab_gpu, {k, 3.0}),
                 dtype == DType::Float32 ? 1e-6 : 1e-13);
    }
  }
}

namespace {

// Sets the kernels' row split for a scope (kernels/kernel_settings.h).
struct RowSplitScope {
  KernelSettings saved = kernel_settings();
  RowSplitScope(int loss, int annealed) {
    kernel_settings().loss_row_split = loss;
    kernel_settings().annealed_row_split = annealed;
  }
  ~RowSplitScope() { kernel_settings() = saved; }
};

}  // namespace

TEST_CASE("rebalanced_cross_entropy forward and backward match the cpu", "[cuda][colorloss]") {
  struct Case { int64_t n, h, w, fy, fx; };
  for (int split : kRowSplits)
  for (const Case& s : {Case{3, 5, 4, 4, 4}, Case{2, 3, 7, 2, 1}, Case{2, 4, 4, 1, 1}}) {
    const RowSplitScope scope(split, 1);
    for (DType dtype : {DType::Float32, DType::Float64}) {
      const Tensor ab = mixed_ab(s.n, s.h * s.fy, s.w * s.fx, 2, dtype);
      const Tensor logits = cpu_leaf({s.n, 313, s.h, s.w}, 3, dtype, -4.0, 4.0);
      const Tensor weights = cpu_leaf({313}, 4, dtype, 0.2, 3.0).detach();
      const double tol = dtype == DType::Float32 ? 1e-4 : 1e-10;
      for (TargetResolution res : {TargetResolution::Full, TargetResolution::Subsampled}) {
        for (LossReduction red : {LossReduction::None, LossReduction::Sum, LossReduction::Mean,
                                  LossReduction::PerImageSum}) {
          for (bool weighted : {false, true}) {
            for (bool mask : {false, true}) {
              INFO("split " << split << " case " << s.n << "x" << s.h << "x" << s.w
                            << " factor " << s.fy << "x"
                           << s.fx << " " << dtype_name(dtype) << " full "
                           << (res == TargetResolution::Full) << " reduction "
                           << static_cast<int>(red) << " weighted " << weighted << " mask "
                           << mask);
              ColorLossOptions o;
              o.target_resolution = res;
              o.reduction = red;
              o.grey_mask = mask;
              o.k = weighted ? 5 : 10;
              CHECK(parity([o](const Xs& v) {
                      return rebalanced_cross_entropy(v[0], v[1], v[2], o);
                    }, {logits, ab, weighted ? weights : Tensor()}, tol, tol) == "");
            }
          }
        }
      }
    }
  }
  // Errors raised by the device kernels' counters.
  const Tensor bad =
      full({1, 313, 2, 2}, std::nan(""), TensorOptions{}.with_device(Device::cuda()));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(bad, zeros({1, 2, 8, 8}).to(Device::cuda()),
                                             Tensor(), {}),
                    Catch::Matchers::Contains("logits contain NaN"));
}

TEST_CASE("a row split the kernels are not built for is a clear error", "[cuda][colorloss]") {
  const Tensor logits = zeros({1, 313, 2, 2}).to(Device::cuda());
  const RowSplitScope scope(3, 3);
  CHECK_THROWS_WITH(annealed_mean(logits, 0.38), Catch::Matchers::Contains("annealed_row_split"));
  CHECK_THROWS_WITH(rebalanced_cross_entropy(logits, zeros({1, 2, 8, 8}).to(Device::cuda()),
                                             Tensor(), {}),
                    Catch::Matchers::Contains("loss_row_split must be 1, 2, 4 or 8, got 3"));
}

TEST_CASE("l2_color_loss and the annealed mean match the cpu", "[cuda][colorloss][annealed]") {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const double tol = dtype == DType::Float32 ? 1e-4 : 1e-10;
    const Tensor pred = cpu_leaf({2, 2, 6, 5}, 5, dtype, -60, 60);
    const Tensor ab = cpu_leaf({2, 2, 6, 5}, 6, dtype, -60, 60).detach();
    for (LossReduction red : {LossReduction::None, LossReduction::Mean,
                              LossReduction::PerImageSum}) {
      CHECK(parity([red](const Xs& v) { return l2_color_loss(v[0], v[1], red); }, {pred, ab},
                   tol, tol) == "");
    }
    const Tensor logits = cpu_leaf({3, 313, 5, 7}, 7, dtype, -5, 5).detach();
    const Tensor probs = softmax(logits, 1);
    for (double t : {1.0, 0.38, 0.01}) {
      INFO(dtype_name(dtype) << " T = " << t);
      for (int split : kRowSplits) {
        INFO("split " << split);
        const RowSplitScope scope(4, split);
        check_same(annealed_mean(logits, t), annealed_mean(logits.to(Device::cuda()), t), tol);
      }
      check_same(annealed_mean_from_probs(probs, t),
                 annealed_mean_from_probs(probs.to(Device::cuda()), t), tol);
    }
  }
}

TEST_CASE("the annealed mean at tiny temperatures matches the cpu for every row split",
          "[cuda][annealed]") {
  // 1 / T overflows float (T < 2.9e-39) or double (T < 5.6e-309): the kernels divide by T
  // instead, in the one-thread rows and in the split rows' merges alike. Rows with tied
  // maxima (in different parts of a split row) and -inf entries.
  const double inf = std::numeric_limits<double>::infinity();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    std::vector<double> x = cpu_leaf({2, 313, 3, 5}, 8, DType::Float64, -5, 5)
                                .detach()
                                .to_vector<double>();
    const int64_t inner = 15;
    for (int64_t i = 0; i < inner; ++i) {
      x[(0 * 313 + 10) * inner + i] = x[(0 * 313 + 290) * inner + i] = 6.0;  // tie across parts
      x[(1 * 313 + (i * 7) % 313) * inner + i] = -inf;
    }
    const Tensor logits = from_vector(x, {2, 313, 3, 5}).to(dtype);
    const Tensor probs = softmax(logits.to(DType::Float64), 1).to(dtype);
    const double tol = dtype == DType::Float32 ? 1e-4 : 1e-10;
    for (double t : {4.9e-324, 1e-300, 1e-45, 1e-40}) {
      INFO(dtype_name(dtype) << " T = " << t);
      const Tensor want = annealed_mean(logits, t);
      for (double v : want.to(DType::Float64).to_vector<double>()) REQUIRE(std::isfinite(v));
      for (int split : kRowSplits) {
        INFO("split " << split);
        const RowSplitScope scope(4, split);
        check_same(want, annealed_mean(logits.to(Device::cuda()), t), tol);
      }
      check_same(annealed_mean_from_probs(probs, t),
                 annealed_mean_from_probs(probs.to(Device::cuda()), t), tol);
    }
  }
}
