// bias_relu (ops/bias_relu.h): forward and backward against the unfused relu(x + bias)
// (forward and grad_x bit for bit, grad_bias within 1e-12 relative in float64, 1e-6 in
// float32: only the summation order differs), that the backward reads the saved output and
// not the input, a float64 gradient check, its errors, and the row coverage of the GPU's
// NHWC bias-gradient threads (emulated); relu and bias_relu pass NaN on as PyTorch does.
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

TEST_CASE("relu and bias_relu pass NaN on, as PyTorch's relu", "[bias_relu]") {
  // torch 1.13 (/usr/bin/python3): relu([nan, -1, -0., 0, 2]) = [nan, 0, -0., 0, 2] (tint
  // gives +0 for -0, equal as numbers), and the
  // gradient of its sum is [1, 0, 0, 0, 1] (threshold_backward on the result); so is the
  // bias's in relu(x + b) with b = 0.
  const double nan = std::nan("");
  for (DType dtype : {DType::Float64, DType::Float32}) {
    INFO(dtype_name(dtype));
    const std::vector<double> values = {nan, -1.0, -0.0, 0.0, 2.0};
    const Tensor x = from_vector(values, {1, 5, 1, 1}).to(dtype).set_requires_grad();
    const Tensor y = relu(x);
    sum(y).backward();
    const std::vector<double> out = y.to_vector<double>(), grad = x.grad().to_vector<double>();
    CHECK(std::isnan(out[0]));
    CHECK(out[1] == 0.0);
    CHECK(out[2] == 0.0);
    CHECK(out[3] == 0.0);
    CHECK(out[4] == 2.0);
    CHECK(grad == std::vector<double>{1, 0, 0, 0, 1});

    const Tensor xb = from_vector(values, {1, 5, 1, 1}).to(dtype).set_requires_grad();
    const Tensor b = zeros({5}, TensorOptions{}.with_dtype(dtype)).set_requires_grad();
    const Tensor yb = bias_relu(xb, b);
    sum(yb).backward();
    CHECK(std::isnan(yb.to_vector<double>()[0]));
    CHECK(xb.grad().to_vector<double>() == std::vector<double>{1, 0, 0, 0, 1});
    CHECK(b.grad().to_vector<double>() == std::vector<double>{1, 0, 0, 0, 1});
  }
}

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

namespace {

// n values of T from a seed, in 16-byte-aligned storage (the pack kernels' requirement).
template <typename T>
struct PackBuffer {
  std::vector<math::Pack16<T>> storage;
  explicit PackBuffer(int64_t n, uint64_t seed = 0, double low = -1.0, double high = 1.0)
      : storage((n + math::Pack16<T>::kSize - 1) / math::Pack16<T>::kSize) {
    Generator gen(seed);
    const std::vector<float> v = rand({n}, gen, TensorOptions{}, low, high).to_vector<float>();
    for (int64_t i = 0; i < n; ++i) data()[i] = static_cast<T>(v[i]);
  }
  T* data() { return reinterpret_cast<T*>(storage.data()); }
};

// The CUDA pack kernels' grids emulated on the CPU (cuda/bias_relu.cu) for one dtype: every
// element written once with the per-element rule, every channel's sum that of its elements.
template <typename T>
void check_pack_kernels(bool channels_last) {
  using A = acc_t<T>;
  constexpr int V = math::Pack16<T>::kSize;
  const int64_t batch = 3, channels = 2 * V, positions = 5 * V;  // packs fit either layout
  const int64_t total = batch * channels * positions, rows = batch * positions;
  PackBuffer<T> x(total, 1), bias(channels, 2), go(total, 3), out(total), gx(total);
  const auto channel_of = [&](int64_t i) {
    return channels_last ? i % channels : (i / positions) % channels;
  };
  for (int64_t p = 0; p < total / V; ++p)
    math::bias_forward_pack<A, true>(out.data(), x.data(), bias.data(), p, channels, positions,
                                     channels_last);
  for (int64_t i = 0; i < total; ++i) {
    const T want = static_cast<T>(math::bias_relu_value(static_cast<A>(x.data()[i]),
                                                        static_cast<A>(bias.data()[channel_of(i)])));
    REQUIRE(static_cast<float>(out.data()[i]) == static_cast<float>(want));
  }
  std::vector<double> sums(channels, 0.0), want(channels, 0.0);
  for (int64_t i = 0; i < total; ++i) {
    const A v = math::relu_grad(static_cast<A>(go.data()[i]), static_cast<A>(out.data()[i]));
    want[channel_of(i)] += static_cast<double>(v);
    gx.data()[i] = static_cast<T>(-7.0f);
  }
  for (int64_t parts : {1, 2, 3}) {
    INFO(parts << " parts");
    std::fill(sums.begin(), sums.end(), 0.0);
    if (channels_last) {
      // tile_packs neighbouring packs of a row by kThreads / tile_packs rows per block.
      const int64_t packs_per_row = channels / V, tile = 2, block_rows = 256 / tile;
      for (int64_t part = 0; part < parts; ++part)
        for (int64_t pack = 0; pack < packs_per_row; ++pack)
          for (int64_t row = 0; row < block_rows; ++row) {
            double acc[V] = {};
            math::nhwc_bias_grad_pack_rows<A, true>(gx.data(), go.data(), out.data(), rows,
                                                    packs_per_row, pack,
                                                    part * block_rows + row, parts * block_rows,
                                                    acc);
            for (int k = 0; k < V; ++k) sums[pack * V + k] += acc[k];
          }
    } else {
      const int64_t threads = 256;
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t t = 0; t < parts * threads; ++t)
          sums[c] += math::nchw_bias_grad_packs<A, true>(gx.data(), go.data(), out.data(), batch,
                                                         channels, positions / V, c, t,
                                                         parts * threads);
    }
    for (int64_t c = 0; c < channels; ++c) CHECK(sums[c] == Approx(want[c]).epsilon(1e-12));
    for (int64_t i = 0; i < total; ++i) {
      const A v = math::relu_grad(static_cast<A>(go.data()[i]), static_cast<A>(out.data()[i]));
      REQUIRE(static_cast<float>(gx.data()[i]) == static_cast<float>(static_cast<T>(v)));
    }
  }
}

}  // namespace

TEST_CASE("the GPU's 16-byte-pack bias kernels cover every element once", "[bias_relu]") {
  for (bool channels_last : {false, true}) {
    INFO((channels_last ? "NHWC" : "NCHW"));
    check_pack_kernels<float>(channels_last);
    check_pack_kernels<double>(channels_last);
    check_pack_kernels<bfloat16>(channels_last);
  }
}
