// bias_relu (ops/bias_relu.h): forward and backward against the unfused relu(x + bias)
// (forward and grad_x bit for bit, grad_bias within 1e-12 relative in float64, 1e-6 in
// float32: only the summation order differs), that the backward reads the saved output and
// not the input, a float64 gradient check, its errors, and the row coverage of the GPU's
// NHWC bias-gradient threads (emulated).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "framework/ops/math/bias_relu.h"
#include "framework/tint.h"
#include "gradcheck.h"

using namespace tint;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

Tensor leaf(const Shape& shape, uint64_t seed, DType dtype) {
  Generator gen(seed);
  return rand(shape, gen, TensorOptions{}.with_dtype(dtype), -1.0, 1.0).set_requires_grad();
}

}  // namespace

TEST_CASE("bias_relu equals relu(x + bias), forward and backward", "[bias_relu]") {
  for (DType dtype : {DType::Float64, DType::Float32}) {
    for (const Shape& shape : {Shape{2, 3, 5, 7}, Shape{1, 16, 1, 1}, Shape{4, 5, 33, 40}}) {
      INFO(dtype_name(dtype) << " " << shape_str(shape));
      const Tensor x = leaf(shape, 7, dtype), b = leaf({shape[1]}, 8, dtype);
      const Tensor x2 = x.detach().clone().set_requires_grad();
      const Tensor b2 = b.detach().clone().set_requires_grad();
      Generator gen(9);
      const Tensor r = rand(shape, gen, TensorOptions{}.with_dtype(dtype), 0.5, 1.5);

      const Tensor fused = bias_relu(x, b);
      const Tensor plain = relu(x2 + b2.reshape({1, shape[1], 1, 1}));
      CHECK(fused.to_vector<double>() == plain.to_vector<double>());  // bit for bit
      sum(fused * r).backward();
      sum(plain * r).backward();
      CHECK(x.grad().to_vector<double>() == x2.grad().to_vector<double>());
      CHECK(relative_gap(b.grad(), b2.grad()) < (dtype == DType::Float64 ? 1e-12 : 1e-6));
    }
  }
}

TEST_CASE("bias_relu's backward uses the saved output, not the input", "[bias_relu]") {
  const Tensor x = leaf64({2, 3, 4, 4}, 11), b = leaf64({3}, 12);
  const Tensor want_grad = [&] {
    Tensor x2 = x.detach().clone().set_requires_grad();
    sum(bias_relu(x2, b.detach())).backward();
    return x2.grad();
  }();
  const Tensor y = bias_relu(x, b);
  x.detach().fill_(-5.0);  // overwrite the input in place: a saved input would flip the mask
  sum(y).backward();
  CHECK(x.grad().to_vector<double>() == want_grad.to_vector<double>());
  // Each bias gradient counts the channel's positive outputs (g = 1).
  const std::vector<double> yv = y.to_vector<double>(), db = b.grad().to_vector<double>();
  for (int64_t c = 0; c < 3; ++c) {
    double positives = 0;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 16; ++i) positives += yv[(n * 3 + c) * 16 + i] > 0 ? 1 : 0;
    CHECK(db[c] == positives);
  }
}

TEST_CASE("bias_relu takes a gradient for either input alone", "[bias_relu]") {
  const Tensor x = leaf64({2, 4, 3, 5}, 13), b = leaf64({4}, 14);
  const Tensor xd = x.detach(), bd = b.detach();
  sum(bias_relu(xd, b)).backward();
  CHECK(b.grad().defined());
  sum(bias_relu(x, bd)).backward();
  CHECK(x.grad().defined());
  CHECK(max_abs_diff(bias_relu(xd, bd), relu(xd + bd.reshape({1, 4, 1, 1}))) == 0.0);
}

TEST_CASE("bias_relu gradients match finite differences", "[bias_relu][grad]") {
  // Uniform inputs: no pre-activation x + b lies within eps of the kink at 0.
  for (const Shape& shape : {Shape{2, 3, 5, 4}, Shape{3, 6, 1, 7}}) {
    INFO(shape_str(shape));
    CHECK(gradcheck([](const std::vector<Tensor>& in) { return bias_relu(in[0], in[1]); },
                    {leaf64(shape, 15), leaf64({shape[1]}, 16)}) == "");
  }
}

TEST_CASE("bias_relu rejects wrong shapes and dtypes", "[bias_relu]") {
  const Tensor x = zeros({2, 3, 4, 4}), b = zeros({3});
  CHECK_THROWS_WITH(bias_relu(zeros({3, 4, 4}), b),
                    Contains("bias_relu") && Contains("4-D") && Contains("[3, 4, 4]"));
  CHECK_THROWS_WITH(bias_relu(x, zeros({4})),
                    Contains("bias_relu") && Contains("[3]") && Contains("[4]"));
  CHECK_THROWS_WITH(bias_relu(x, zeros({1, 3})), Contains("bias_relu") && Contains("[1, 3]"));
  CHECK_THROWS_WITH(bias_relu(x, zeros({3}, TensorOptions{}.with_dtype(DType::Float64))),
                    Contains("bias_relu") && Contains("dtype mismatch"));
  CHECK_THROWS_WITH(bias_relu(zeros({2, 3, 4, 4}, TensorOptions{}.with_dtype(DType::Int64)),
                              zeros({3}, TensorOptions{}.with_dtype(DType::Int64))),
                    Contains("bias_relu") && Contains("int64"));
  CHECK_THROWS_WITH(bias_relu(x, Tensor()), Contains("bias_relu") && Contains("undefined"));
}

TEST_CASE("the NHWC bias-gradient kernel's rows cover every element once", "[bias_relu]") {
  // The CUDA kernel's grid emulated: parts x kTileRows threads per channel, each summing rows
  // first = part * tile_rows + lane, stepping by parts * tile_rows (cuda/bias_relu.cu).
  const int64_t rows = 2 * 7 * 5, channels = 3, tile_rows = 8;
  Generator gen(12);
  const std::vector<float> go = rand({rows * channels}, gen).to_vector<float>();
  const std::vector<float> y = rand({rows * channels}, gen, TensorOptions{}, -1.0, 1.0).to_vector<float>();
  for (int64_t parts : {1, 2, 3, 16}) {
    INFO(parts << " parts");
    std::vector<float> gx(go.size(), -7.0f);
    for (int64_t c = 0; c < channels; ++c) {
      double sum = 0, want = 0;
      for (int64_t part = 0; part < parts; ++part)
        for (int64_t lane = 0; lane < tile_rows; ++lane)
          sum += math::nhwc_bias_grad_rows<float, true>(gx.data(), go.data(), y.data(), rows,
                                                        channels, c, part * tile_rows + lane,
                                                        parts * tile_rows);
      for (int64_t r = 0; r < rows; ++r) {
        const float v = y[r * channels + c] > 0 ? go[r * channels + c] : 0.0f;
        want += v;
        CHECK(gx[r * channels + c] == v);
      }
      CHECK(sum == Approx(want).epsilon(1e-12));
    }
  }
}
