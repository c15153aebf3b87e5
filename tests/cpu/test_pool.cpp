// max_pool2d and adaptive_avg_pool2d: values against a brute-force window maximum / mean
// (PyTorch's rules: -inf padding, first maximum wins, NaN propagates; adaptive cells
// [floor(i*in/out), ceil((i+1)*in/out))), float64 gradient checks, the nn layers and errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/tint.h"
#include "gradcheck.h"

using namespace tint;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

const TensorOptions kF64 = TensorOptions{}.with_dtype(DType::Float64);

// Brute-force max pooling of a (N, C, H, W) float64 tensor.
std::vector<double> reference_max_pool(const Tensor& x, Pair k, Pair s, Pair p, int64_t oh,
                                       int64_t ow) {
  const std::vector<double> v = x.to_vector<double>();
  const int64_t planes = x.size(0) * x.size(1), h = x.size(2), w = x.size(3);
  std::vector<double> out;
  for (int64_t q = 0; q < planes; ++q)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double m = -std::numeric_limits<double>::infinity();
        for (int64_t a = i * s.h - p.h; a < i * s.h - p.h + k.h; ++a)
          for (int64_t b = j * s.w - p.w; b < j * s.w - p.w + k.w; ++b)
            if (a >= 0 && a < h && b >= 0 && b < w) m = std::max(m, v[(q * h + a) * w + b]);
        out.push_back(m);
      }
  return out;
}

}  // namespace

TEST_CASE("max_pool2d takes each window's maximum, with -inf padding", "[layers][pool]") {
  struct Case {
    Shape x;
    MaxPool2dOptions o;
    int64_t oh, ow;
  };
  const Case cases[] = {
      {{2, 3, 8, 8}, {2}, 4, 4},                       // VGG's 2x2 / 2
      {{1, 2, 7, 9}, {2}, 3, 4},                       // odd sizes floor
      {{2, 2, 7, 6}, {3, 2, 1}, 4, 3},                 // 3x3 / 2, padding 1 (overlapping)
      {{1, 3, 5, 8}, {Pair(2, 3), Pair(1, 2), Pair(1, 1)}, 6, 4},  // non-square everything
  };
  Generator gen(3);
  for (const Case& c : cases) {
    const Tensor x = rand({c.x[0], c.x[1], c.x[2], c.x[3]}, gen, kF64, -1, 1);
    const Tensor y = max_pool2d(x, c.o);
    const Pair s(c.o.stride.h ? c.o.stride.h : c.o.kernel_size.h,
                 c.o.stride.w ? c.o.stride.w : c.o.kernel_size.w);
    INFO("input " << shape_str(c.x));
    REQUIRE(y.shape() == Shape{c.x[0], c.x[1], c.oh, c.ow});
    CHECK(y.to_vector<double>() == reference_max_pool(x, c.o.kernel_size, s, c.o.padding, c.oh, c.ow));
    CHECK(max_pool2d(x.to(DType::Float32), c.o).to_vector<float>() ==
          max_pool2d(x, c.o).to(DType::Float32).to_vector<float>());
  }
}

TEST_CASE("max_pool2d's gradient goes to the first maximum; NaN propagates", "[layers][pool]") {
  // A 2x2 window of equal values: the whole gradient goes to its top-left element.
  Tensor x = full({1, 1, 2, 4}, 1.0, kF64).set_requires_grad();
  x.detach().data<double>()[3] = 5.0;  // the second window's top-right is its maximum
  sum(max_pool2d(x, {2})).backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>{1, 0, 0, 1, 0, 0, 0, 0});
  Tensor n = full({1, 1, 2, 2}, 1.0, kF64);
  n.data<double>()[2] = std::nan("");
  CHECK(std::isnan(max_pool2d(n, {2}).item()));
}

TEST_CASE("max_pool2d gradients match finite differences", "[layers][pool][grad]") {
  // Uniform random values: each window's maximum is unique and far (>> eps) from the
  // runner-up, so the central differences do not straddle a switch of the argmax.
  for (const MaxPool2dOptions& o :
       {MaxPool2dOptions{2}, MaxPool2dOptions{3, 2, 1}, MaxPool2dOptions{Pair(2, 3), Pair(1, 2), Pair(1, 1)}}) {
    const Tensor x = leaf64({2, 3, 7, 6}, 91);
    INFO("kernel " << o.kernel_size.h << "x" << o.kernel_size.w);
    CHECK(gradcheck([&](const std::vector<Tensor>& in) { return max_pool2d(in[0], o); }, {x}) == "");
  }
}

TEST_CASE("adaptive_avg_pool2d averages PyTorch's cells and is differentiable", "[layers][pool]") {
  Generator gen(5);
  const Tensor x = rand({2, 3, 5, 7}, gen, kF64);
  const Tensor y = adaptive_avg_pool2d(x, 3, 2);
  REQUIRE(y.shape() == Shape{2, 3, 3, 2});
  const std::vector<double> xv = x.to_vector<double>(), yv = y.to_vector<double>();
  for (int64_t q = 0; q < 6; ++q)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        const int64_t h0 = i * 5 / 3, h1 = ((i + 1) * 5 + 2) / 3, w0 = j * 7 / 2, w1 = ((j + 1) * 7 + 1) / 2;
        double total = 0;
        for (int64_t a = h0; a < h1; ++a)
          for (int64_t b = w0; b < w1; ++b) total += xv[(q * 5 + a) * 7 + b];
        CHECK(yv[(q * 3 + i) * 2 + j] == Approx(total / ((h1 - h0) * (w1 - w0))).epsilon(1e-12));
      }
  // Global pooling is the spatial mean; enlarging (1x1 -> 7x7) repeats the pixel; same size
  // is the identity.
  CHECK(max_abs_diff(adaptive_avg_pool2d(x, 1, 1), mean(mean(x, 3, true), 2, true)) < 1e-12);
  const Tensor one = rand({1, 2, 1, 1}, gen, kF64);
  const std::vector<double> big = adaptive_avg_pool2d(one, 7, 7).to_vector<double>();
  CHECK(big[0] == one.to_vector<double>()[0]);
  CHECK(big[97] == one.to_vector<double>()[1]);
  CHECK(adaptive_avg_pool2d(x, 5, 7).same(x));
  for (auto [oh, ow] : {std::pair<int64_t, int64_t>{3, 2}, {7, 7}, {1, 1}, {2, 5}}) {
    INFO(oh << "x" << ow);
    CHECK(gradcheck([&](const std::vector<Tensor>& in) { return adaptive_avg_pool2d(in[0], oh, ow); },
                    {leaf64({2, 2, 5, 4}, 92)}) == "");
  }
}

TEST_CASE("MaxPool2d, AdaptiveAvgPool2d and Flatten layers", "[layers][pool]") {
  Generator gen(6);
  const Tensor x = rand({2, 3, 8, 6}, gen);
  nn::MaxPool2d pool(MaxPool2dOptions{2});
  CHECK(pool(x).shape() == Shape{2, 3, 4, 3});
  CHECK(pool.parameter_count() == 0);
  nn::AdaptiveAvgPool2d avg(7, 7);
  CHECK(avg(x).shape() == Shape{2, 3, 7, 7});
  nn::Flatten flat;
  CHECK(flat(x).shape() == Shape{2, 144});
  CHECK_THROWS_WITH(nn::MaxPool2d(MaxPool2dOptions{0}), Contains("MaxPool2d") && Contains("kernel_size"));
  CHECK_THROWS_WITH(nn::AdaptiveAvgPool2d(0, 7), Contains("AdaptiveAvgPool2d"));
}

TEST_CASE("pooling rejects bad input and options", "[layers][pool]") {
  CHECK_THROWS_WITH(max_pool2d(zeros({3, 4, 5}), {2}),
                    Contains("max_pool2d") && Contains("4-D") && Contains("[3, 4, 5]"));
  CHECK_THROWS_WITH(max_pool2d(zeros({1, 1, 4, 4}), {2, 2, 2}),
                    Contains("max_pool2d") && Contains("half the kernel"));
  CHECK_THROWS_WITH(max_pool2d(zeros({1, 1, 2, 2}), {3}), Contains("smaller than the kernel"));
  CHECK_THROWS_WITH(max_pool2d(zeros({1, 1, 4, 4}, TensorOptions{}.with_dtype(DType::Int64)), {2}),
                    Contains("max_pool2d") && Contains("int64"));
  CHECK_THROWS_WITH(adaptive_avg_pool2d(zeros({1, 1, 4, 4}), 0, 2),
                    Contains("adaptive_avg_pool2d") && Contains("0x2"));
}
