// FlopCounter (framework/ops/flop_counter.h): the multiply-add FLOPs of conv2d,
// conv_transpose2d, matmul and linear against hand-computed counts, a small network, nesting,
// that backward passes add nothing, and that nothing is counted outside a counter's scope.
#include <catch2/catch.hpp>

#include "framework/tint.h"
#include "models/registry.h"

using namespace tint;

namespace {

Tensor input(const Shape& shape, bool requires_grad = false) {
  Generator gen(7);
  return randn(shape, gen, TensorOptions{}.with_requires_grad(requires_grad));
}

}  // namespace

TEST_CASE("conv2d counts 2 * N * C_out * H_out * W_out * C_in * kH * kW", "[flops]") {
  FlopCounter counter;
  // (2, 3, 8, 8) * (4, 3, 3, 3), padding 1: output 8 x 8; 2 * 2 * 4 * 64 * 3 * 9 = 27648.
  conv2d(input({2, 3, 8, 8}), input({4, 3, 3, 3}), input({4}), Conv2dOptions{1, 1, 1});
  CHECK(counter.total() == 27648);
  // (1, 2, 9, 7) * (5, 2, 3, 2), stride 2, padding 1, dilation 2: output
  // ((9 + 2 - 4 - 1) / 2 + 1) x ((7 + 2 - 2 - 1) / 2 + 1) = 4 x 4; 2 * 5 * 16 * 2 * 6 = 1920.
  conv2d(input({1, 2, 9, 7}), input({5, 2, 3, 2}), Tensor(), Conv2dOptions{2, 1, 2});
  CHECK(counter.total() == 27648 + 1920);
}

TEST_CASE("conv_transpose2d counts over its input's spatial size", "[flops]") {
  FlopCounter counter;
  // (2, 4, 5, 5) * (4, 3, 4, 4), stride 2, padding 1 -> (2, 3, 10, 10); every input pixel
  // meets every weight once: 2 * 2 * 4 * 25 * 3 * 16 = 19200.
  const Tensor y = conv_transpose2d(input({2, 4, 5, 5}), input({4, 3, 4, 4}), input({3}),
                                    ConvTranspose2dOptions{2, 1, 0, 1});
  CHECK(y.shape() == Shape{2, 3, 10, 10});
  CHECK(counter.total() == 19200);
}

TEST_CASE("matmul and linear count 2 * M * N * K per batch entry", "[flops]") {
  FlopCounter counter;
  matmul(input({3, 4}), input({4, 5}));  // 2 * 3 * 5 * 4 = 120
  CHECK(counter.total() == 120);
  matmul(input({2, 3, 4}), input({2, 4, 5}));  // 2 * 120 = 240
  CHECK(counter.total() == 360);
  linear(input({6, 4}), input({5, 4}), input({5}));  // 2 * 6 * 5 * 4 = 240; the bias is free
  CHECK(counter.total() == 600);
}

TEST_CASE("a small network's count is the sum of its layers'", "[flops]") {
  Generator gen(3);
  nn::Sequential net(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(3, 8, 3, Conv2dOptions{2, 1, 1}, true, gen),
      std::make_shared<nn::ReLU>(),
      std::make_shared<nn::ConvTranspose2d>(8, 4, 4, ConvTranspose2dOptions{2, 1, 0, 1}, true, gen),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(4 * 16 * 16, 10, true, gen)});
  FlopCounter counter;
  net.forward(input({2, 3, 16, 16}));
  // conv 3 -> 8 to 8 x 8: 2 * 2 * 8 * 64 * 27 = 55296; transposed 8 -> 4 from 8 x 8:
  // 2 * 2 * 8 * 64 * 4 * 16 = 131072; linear 1024 -> 10: 2 * 2 * 10 * 1024 = 40960.
  CHECK(counter.total() == 55296 + 131072 + 40960);
}

TEST_CASE("nothing is counted outside a counter, nor by backward passes", "[flops]") {
  const Tensor x = input({1, 2, 6, 6}, true), w = input({3, 2, 3, 3}, true);
  conv2d(x, w);  // no counter: nothing to count into
  CHECK(active_flop_counter() == nullptr);
  int64_t forward = 0;
  {
    FlopCounter counter;
    CHECK(counter.total() == 0);  // the earlier call left nothing behind
    CHECK(active_flop_counter() == &counter);
    const Tensor y = conv2d(x, w);  // 2 * 3 * 16 * 2 * 9 = 1728
    forward = counter.total();
    sum(y).backward();
    CHECK(counter.total() == forward);
  }
  CHECK(forward == 1728);
  CHECK(active_flop_counter() == nullptr);
  conv2d(x, w);
  FlopCounter later;
  CHECK(later.total() == 0);
}

TEST_CASE("nested counters: the inner count is added to the outer one", "[flops]") {
  FlopCounter outer;
  matmul(input({2, 2}), input({2, 2}));  // 16
  {
    FlopCounter inner;
    matmul(input({2, 3}), input({3, 4}));  // 48
    CHECK(inner.total() == 48);
    CHECK(outer.total() == 16);
  }
  CHECK(outer.total() == 64);
  CHECK(active_flop_counter() == &outer);
}

TEST_CASE("a colorization network's count is linear in the batch and grad-mode blind", "[flops]") {
  Generator gen(5);
  auto model = models::make_model("eccv16", models::Head::Classification, 0.125, gen);
  model->eval();
  const auto count = [&](int64_t batch) {
    FlopCounter counter;
    model->forward(full({batch, 1, 32, 32}, 50.0));
    return counter.total();
  };
  const int64_t one = count(1);
  CHECK(one > 0);
  CHECK(count(3) == 3 * one);
  NoGradGuard no_grad;
  CHECK(count(1) == one);
}
