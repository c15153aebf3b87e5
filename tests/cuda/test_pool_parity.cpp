// CPU/GPU parity of the pooling ops: max_pool2d (forward maxima and the scatter-add backward,
// float32 and float64, overlapping and padded windows; a float64 gradient check on the GPU)
// and adaptive_avg_pool2d (matmuls).
#include <catch2/catch.hpp>

#include "framework/tint.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

TEST_CASE("max_pool2d matches the cpu", "[cuda][pool]") {
  for (const MaxPool2dOptions& o :
       {MaxPool2dOptions{2}, MaxPool2dOptions{3, 2, 1}, MaxPool2dOptions{Pair(2, 3), Pair(1, 2), Pair(1, 1)}}) {
    for (DType d : {DType::Float32, DType::Float64}) {
      Tensor x = cpu_leaf({3, 4, 11, 10}, 21, d);
      CHECK(parity([o](const Xs& v) { return max_pool2d(v[0], o); }, {x}, 1e-6, 1e-6) == "");
    }
  }
  Tensor big = cpu_leaf({8, 64, 56, 56}, 22);  // VGG-sized planes, many blocks
  CHECK(parity([](const Xs& v) { return max_pool2d(v[0], {2}); }, {big}) == "");
}

TEST_CASE("adaptive_avg_pool2d matches the cpu", "[cuda][pool]") {
  Tensor x = cpu_leaf({2, 5, 9, 7}, 23, DType::Float64);
  for (auto [oh, ow] : {std::pair<int64_t, int64_t>{7, 7}, {1, 1}, {4, 3}})
    CHECK(parity([oh = oh, ow = ow](const Xs& v) { return adaptive_avg_pool2d(v[0], oh, ow); },
                 {x}, 1e-10, 1e-10) == "");
}

TEST_CASE("float64 gradient check of max_pool2d on the GPU", "[cuda][pool][grad]") {
  Tensor x = leaf64({2, 3, 7, 6}, 93).detach().to(Device::cuda()).set_requires_grad();
  CHECK(gradcheck([](const Xs& v) { return max_pool2d(v[0], {3, 2, 1}); }, {x}) == "");
}
