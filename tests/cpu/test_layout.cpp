// The channels_last layout (framework/tensor/layout.h) on the CPU: the stride rules (size-1
// dims do not count), copies and casts that keep the layout, and every op the channels_last
// path of the networks meets, given channels_last inputs: the same values and gradients as
// with contiguous ones, outputs and gradients in the layouts the ops promise. (The networks
// under nn::settings().channels_last: test_nn_settings.cpp; the GPU's NHWC kernels:
// tests/cuda/test_layout_parity.cpp.)
#include <catch2/catch.hpp>
#include <vector>

#include "framework/tint.h"
#include "framework/autograd/node.h"
#include "framework/ops/math/dropout.h"
#include "gradcheck.h"

using namespace tint;
using namespace tint::testing;
using Catch::Matchers::Contains;

namespace {

Tensor as_channels_last(const Tensor& t) { return channels_last_copy(t); }

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

}  // namespace

TEST_CASE("channels_last strides, and which tensors count as channels_last", "[layout]") {
  CHECK(channels_last_strides({2, 3, 4, 5}) == Shape{60, 1, 15, 3});
  const Tensor t = empty_channels_last({2, 3, 4, 5}, DType::Float32, Device::cpu());
  CHECK(t.strides() == Shape{60, 1, 15, 3});
  CHECK(is_nhwc(t));
  CHECK(is_dense(t));
  CHECK_FALSE(is_channels_last(zeros({2, 3, 4, 5})));
  // One channel, or a 1 x 1 image: both layouts at once.
  CHECK(is_channels_last(zeros({2, 1, 4, 5})));
  CHECK(is_channels_last(zeros({2, 3, 1, 1})));
  CHECK(zeros({2, 1, 4, 5}).is_contiguous());
  CHECK_FALSE(is_channels_last(zeros({3, 4, 5})));
  CHECK_FALSE(is_dense(zeros({4, 6}).slice(1, 0, 3)));
  CHECK_THROWS_WITH(storage_order_view(zeros({4, 6}).slice(1, 0, 3)),
                    Contains("neither contiguous nor channels_last"));
  CHECK_THROWS_WITH(channels_last_strides({2, 3}), Contains("4-D"));
}

TEST_CASE("copies and casts keep the channels_last layout and the values", "[layout]") {
  const Tensor x = leaf64({2, 3, 4, 5}, 1).detach();
  const Tensor cl = as_channels_last(x);
  CHECK(is_nhwc(cl));
  CHECK(values(cl) == values(x));  // to_vector reads in logical order
  // Storage order is NHWC: element (n, c, h, w) at ((n * H + h) * W + w) * C + c.
  const std::vector<double> stored = values(storage_order_view(cl));
  CHECK(stored[((1 * 4 + 2) * 5 + 3) * 3 + 1] == values(x.slice(0, 1, 2).slice(1, 1, 2)
                                                           .slice(2, 2, 3).slice(3, 3, 4))[0]);
  const Tensor f = cl.to(DType::Float32);
  CHECK(is_nhwc(f));
  CHECK(values(f) == values(x.to(DType::Float32)));
  const Tensor b = cl.to(DType::BFloat16);
  CHECK(is_nhwc(b));
  CHECK(values(b) == values(x.to(DType::BFloat16)));
  // channels_last into channels_last, contiguous into channels_last, and back.
  Tensor dst = empty_channels_last({2, 3, 4, 5}, DType::Float64, Device::cpu());
  dst.copy_(cl);
  CHECK(values(dst) == values(x));
  dst.copy_(x * 2.0);
  CHECK(values(dst) == values(x * 2.0));
  CHECK(values(cl.contiguous()) == values(x));
  CHECK(cl.contiguous().is_contiguous());
  CHECK(values(dense_like(x, cl)) == values(x));
  CHECK(is_nhwc(dense_like(x, cl)));
  CHECK(dense_like(cl, x).is_contiguous());
  CHECK(dense_like(cl, cl).raw_data() == cl.raw_data());  // no copy when already so
}

TEST_CASE("to_channels_last lays a tensor out NHWC, differentiably", "[layout]") {
  const Tensor x = leaf64({2, 3, 4, 5}, 11);
  const Tensor y = to_channels_last(x);
  CHECK(is_nhwc(y));
  CHECK(values(y) == values(x));
  CHECK(to_channels_last(y).same(y));
  const Tensor r = leaf64({2, 3, 4, 5}, 12).detach();
  sum(y * r).backward();
  CHECK(x.grad().is_contiguous());
  CHECK(max_abs_diff(x.grad(), r) == 0.0);
  CHECK_THROWS_WITH(to_channels_last(zeros({2, 3})), Contains("to_channels_last") && Contains("4-D"));
  CHECK(gradcheck([](const std::vector<Tensor>& v) { return to_channels_last(v[0]) * v[0]; },
                  {leaf64({1, 2, 3, 2}, 13)}) == "");
}

TEST_CASE("cast_channels_last casts and lays out in one copy, differentiably", "[layout]") {
  const Tensor x = leaf64({2, 3, 4, 5}, 14);
  const Tensor y = cast_channels_last(x, DType::Float32);
  CHECK(is_nhwc(y));
  CHECK(y.dtype() == DType::Float32);
  CHECK(y.to_vector<float>() == x.to(DType::Float32).to_vector<float>());
  const Tensor r = leaf64({2, 3, 4, 5}, 15).detach().to(DType::Float32);
  sum(y * r).backward();
  // The gradient in x's dtype and layout (contiguous here; channels_last for an NHWC x).
  CHECK(x.grad().dtype() == DType::Float64);
  CHECK(x.grad().is_contiguous());
  CHECK(max_abs_diff(x.grad(), r.to(DType::Float64)) == 0.0);
  // For a channels_last x, the node's gradient (a leaf's .grad is the engine's contiguous
  // copy of it).
  const Tensor xl = as_channels_last(leaf64({2, 3, 4, 5}, 16).detach()).set_requires_grad();
  const Tensor out = cast_channels_last(xl, DType::Float32);
  const std::vector<Tensor> grads = out.grad_fn()->backward(r, {true});
  CHECK(is_nhwc(grads[0]));
  CHECK(grads[0].dtype() == DType::Float64);
  CHECK(max_abs_diff(grads[0], r.to(DType::Float64)) == 0.0);
  CHECK_THROWS_WITH(cast_channels_last(zeros({2, 3}), DType::Float32),
                    Contains("cast_channels_last") && Contains("4-D"));
  CHECK(gradcheck([](const std::vector<Tensor>& v) {
                    return cast_channels_last(v[0], DType::Float64) * v[0];
                  },
                  {leaf64({1, 2, 3, 2}, 17)}) == "");
}

TEST_CASE("convolutions asked for channels_last give the same values in that layout",
          "[layout]") {
  for (bool given_nhwc : {false, true}) {
    INFO((given_nhwc ? "channels_last" : "contiguous") << " input");
    const Tensor x0 = leaf64({2, 3, 6, 5}, 2), w0 = leaf64({4, 3, 3, 3}, 3), b0 = leaf64({4}, 4);
    const Tensor x1 = (given_nhwc ? as_channels_last(x0) : x0.detach().clone()).set_requires_grad();
    const Tensor w1 = w0.detach().clone().set_requires_grad();
    const Tensor b1 = b0.detach().clone().set_requires_grad();
    const Tensor want = conv2d(x0, w0, b0, Conv2dOptions{{1}, {1}});
    const Tensor got = conv2d(x1, w1, b1, Conv2dOptions{{1}, {1}, {1}, /*channels_last=*/true});
    CHECK(is_nhwc(got));
    CHECK(max_abs_diff(got, want) == 0.0);
    const Tensor r = leaf64(want.shape(), 5).detach();
    sum(want * r).backward();
    sum(got * r).backward();
    CHECK(max_abs_diff(x1.grad(), x0.grad()) == 0.0);
    CHECK(max_abs_diff(w1.grad(), w0.grad()) == 0.0);
    CHECK(max_abs_diff(b1.grad(), b0.grad()) == 0.0);
    // The weight's gradient contiguous, as it was given (the optimizers read it so).
    CHECK(w1.grad().is_contiguous());
  }
  // A channels_last input alone asks for it too; the transposed convolution likewise.
  const Tensor x = as_channels_last(leaf64({2, 4, 5, 5}, 6).detach());
  CHECK(is_nhwc(conv2d(x, leaf64({3, 4, 1, 1}, 7).detach())));
  const Tensor wt = leaf64({4, 3, 4, 4}, 8).detach();
  const Tensor up = conv_transpose2d(x, wt, Tensor(), ConvTranspose2dOptions{{2}, {1}});
  CHECK(is_nhwc(up));
  CHECK(max_abs_diff(up, conv_transpose2d(x.contiguous(), wt, Tensor(),
                                          ConvTranspose2dOptions{{2}, {1}})) == 0.0);
}

TEST_CASE("the other ops of the networks take channels_last inputs", "[layout]") {
  const Tensor x0 = leaf64({2, 3, 4, 5}, 9, -1.0, 1.0).detach();
  const Tensor cl = as_channels_last(x0);
  const Tensor bias = leaf64({3}, 10).detach();
  CHECK(max_abs_diff(bias_relu(cl, bias), bias_relu(x0, bias)) == 0.0);
  const TensorOptions f64 = TensorOptions{}.with_dtype(DType::Float64);
  Tensor rm = zeros({3}, f64), rv = ones({3}, f64);
  Tensor rm2 = rm.clone(), rv2 = rv.clone();
  CHECK(max_abs_diff(batch_norm2d(cl, rm, rv, Tensor(), Tensor(), true, 0.1, 1e-5),
                     batch_norm2d(x0, rm2, rv2, Tensor(), Tensor(), true, 0.1, 1e-5)) == 0.0);
  CHECK(max_abs_diff(rv, rv2) == 0.0);
  Generator g1(3), g2(3);
  CHECK(max_abs_diff(dropout(cl, 0.5, true, g1), dropout(x0, 0.5, true, g2)) == 0.0);
  CHECK(max_abs_diff(relu(cl), relu(x0)) == 0.0);
  CHECK(max_abs_diff(upsample_nearest2d(cl, UpsampleSize::scale(2.0)),
                     upsample_nearest2d(x0, UpsampleSize::scale(2.0))) == 0.0);
  CHECK(max_abs_diff(add(cl, x0), x0 * 2.0) == 0.0);
}

TEST_CASE("what the GPU kernels assume of the channels_last storage order", "[layout]") {
  // cuDNN's NHWC filter is K x kh x kw x C: a channels_last weight (K, C, kh, kw) holds
  // exactly that order.
  const Tensor w = leaf64({4, 3, 2, 5}, 14).detach();
  CHECK(values(storage_order_view(as_channels_last(w))) ==
        values(w.permute({0, 2, 3, 1}).contiguous()));
  // The dropout kernel's map from storage index back to the logical index.
  const Shape shape{2, 3, 4, 5};
  const Tensor logical = arange(0, 120).to(DType::Float64).reshape(shape);
  const std::vector<double> stored = values(storage_order_view(as_channels_last(logical)));
  for (int64_t s = 0; s < 120; ++s) {
    CHECK(math::nhwc_logical_index<int64_t>(s, 3, 4, 5) == static_cast<int64_t>(stored[s]));
    CHECK(math::nhwc_logical_index<uint32_t>(static_cast<uint32_t>(s), 3, 4, 5) ==
          static_cast<uint32_t>(stored[s]));  // the GPU's 32-bit arithmetic
  }
}
