// CPU/GPU parity of the layer ops: convolution and transposed convolution (cuDNN), batch
// norm in training and eval (cuDNN), upsampling, softmax/log_softmax, the losses, and
// dropout (cuDNN masks differ from the CPU's, so its test checks the statistics and that
// backward reuses the forward's mask). Tolerances: float32 convolutions run with TF32 off
// here so the comparison is against full fp32 arithmetic.
#include <catch2/catch.hpp>

#include "framework/ops/cpu/dropout.h"
#include "framework/ops/cuda/dropout.h"
#include "framework/tint.h"
#include "parity.h"

using namespace tint;
using namespace tint::testing;
using Xs = std::vector<Tensor>;

namespace {
struct Tf32Off {
  bool saved = cuda::settings().allow_tf32;
  Tf32Off() { cuda::settings().allow_tf32 = false; }
  ~Tf32Off() { cuda::settings().allow_tf32 = saved; }
};
}  // namespace

TEST_CASE("conv2d matches the cpu on cuDNN", "[cuda][conv]") {
  Tf32Off exact;
  struct Case { Shape x, w; Conv2dOptions o; };
  const std::vector<Case> cases = {
      {{2, 3, 9, 7}, {5, 3, 3, 3}, {1, 1, 1}},
      {{2, 4, 11, 10}, {6, 4, 3, 3}, {2, 1, 1}},
      {{1, 3, 12, 12}, {4, 3, 3, 3}, {1, 2, 2}},
      {{2, 8, 6, 5}, {3, 8, 1, 1}, {1, 0, 1}},
      {{1, 2, 9, 8}, {3, 2, 2, 4}, {Pair(2, 1), Pair(0, 1), Pair(1, 2)}},
  };
  for (const Case& c : cases) {
    INFO("input " << shape_str(c.x) << " weight " << shape_str(c.w));
    Tensor x = cpu_leaf(c.x, 1), w = cpu_leaf(c.w, 2), b = cpu_leaf({c.w[0]}, 3);
    const Conv2dOptions o = c.o;
    CHECK(parity([o](const Xs& v) { return conv2d(v[0], v[1], v[2], o); }, {x, w, b}, 1e-4,
                 1e-4) == "");
    CHECK(parity([o](const Xs& v) { return conv2d(v[0], v[1], Tensor(), o); }, {x, w}, 1e-4,
                 1e-4) == "");
  }
  Tensor x64 = cpu_leaf({2, 3, 7, 6}, 4, DType::Float64), w64 = cpu_leaf({4, 3, 3, 3}, 5, DType::Float64);
  CHECK(parity([](const Xs& v) { return conv2d(v[0], v[1], Tensor(), {2, 1, 1}); }, {x64, w64},
               1e-10, 1e-10) == "");
}

TEST_CASE("conv_transpose2d matches the cpu on cuDNN", "[cuda][conv]") {
  Tf32Off exact;
  struct Case { Shape x, w; ConvTranspose2dOptions o; };
  const std::vector<Case> cases = {
      {{2, 6, 5, 5}, {6, 4, 4, 4}, {2, 1, 0, 1}},
      {{1, 3, 4, 6}, {3, 2, 3, 3}, {2, 1, 1, 1}},
      {{2, 4, 5, 4}, {4, 3, 3, 3}, {1, 1, 0, 2}},
  };
  for (const Case& c : cases) {
    INFO("input " << shape_str(c.x) << " weight " << shape_str(c.w));
    Tensor x = cpu_leaf(c.x, 6), w = cpu_leaf(c.w, 7), b = cpu_leaf({c.w[1]}, 8);
    const ConvTranspose2dOptions o = c.o;
    CHECK(parity([o](const Xs& v) { return conv_transpose2d(v[0], v[1], v[2], o); }, {x, w, b},
                 1e-4, 1e-4) == "");
  }
}

TEST_CASE("cudnn algorithm choice honours benchmark and deterministic", "[cuda][conv]") {
  Tf32Off exact;
  Tensor x = cpu_leaf({4, 8, 16, 16}, 9), w = cpu_leaf({8, 8, 3, 3}, 10);
  for (bool bench : {false, true})
    for (bool det : {false, true}) {
      cuda::settings().benchmark = bench;
      cuda::settings().deterministic = det;
      CHECK(parity([](const Xs& v) { return conv2d(v[0], v[1], Tensor(), {1, 1, 1}); }, {x, w},
                   1e-4, 1e-4) == "");
    }
  cuda::settings().benchmark = false;
  cuda::settings().deterministic = false;
  // Deterministic algorithms give bit-identical gradients twice.
  cuda::settings().deterministic = true;
  auto weight_grad = [&] {
    Tensor xg = x.detach().to(Device::cuda()), wg = w.detach().to(Device::cuda()).set_requires_grad();
    sum(conv2d(xg, wg, Tensor(), {1, 1, 1})).backward();
    return wg.grad().cpu().to_vector<float>();
  };
  CHECK(weight_grad() == weight_grad());
  cuda::settings().deterministic = false;
}

TEST_CASE("batch_norm2d matches the cpu (cuDNN), training and eval", "[cuda][bn]") {
  for (bool affine : {true, false}) {
    Tensor x = cpu_leaf({4, 3, 5, 6}, 11, DType::Float32, -2, 3);
    Tensor w = affine ? cpu_leaf({3}, 12, DType::Float32, 0.5, 1.5) : Tensor();
    Tensor b = affine ? cpu_leaf({3}, 13) : Tensor();
    Tensor rm_cpu = zeros({3}), rv_cpu = ones({3});
    Tensor rm_gpu = rm_cpu.to(Device::cuda()), rv_gpu = rv_cpu.to(Device::cuda());
    int calls = 0;
    CHECK(parity([&](const Xs& v) {
            const bool gpu = v[0].device().is_cuda();
            ++calls;
            return batch_norm2d(v[0], gpu ? rm_gpu : rm_cpu, gpu ? rv_gpu : rv_cpu, v[1], v[2],
                                true, 0.1, 1e-5);
          },
          {x, w, b}, 1e-4, 1e-5) == "");
    CHECK(calls == 2);
    CHECK(max_abs_diff(rm_cpu, rm_gpu.cpu()) < 1e-5);
    CHECK(max_abs_diff(rv_cpu, rv_gpu.cpu()) < 1e-5);  // unbiased variance in both
    CHECK(parity([&](const Xs& v) {
            const bool gpu = v[0].device().is_cuda();
            return batch_norm2d(v[0], gpu ? rm_gpu : rm_cpu, gpu ? rv_gpu : rv_cpu, v[1], v[2],
                                false, 0.1, 1e-5);
          },
          {x, w, b}, 1e-4, 1e-5) == "");
  }
}

TEST_CASE("upsampling matches the cpu", "[cuda][upsample]") {
  Tensor x = cpu_leaf({2, 3, 5, 7}, 14);
  for (const UpsampleSize& s : {UpsampleSize::size(11, 9), UpsampleSize::scale(2.0),
                                UpsampleSize::scale(1.7), UpsampleSize::size(3, 4)}) {
    CHECK(parity([s](const Xs& v) { return upsample_nearest2d(v[0], s); }, {x}) == "");
    CHECK(parity([s](const Xs& v) { return upsample_bilinear2d(v[0], s); }, {x}, 1e-5, 1e-5) ==
          "");
  }
}

TEST_CASE("softmax and the losses match the cpu", "[cuda][loss]") {
  Tensor x = cpu_leaf({3, 313, 4, 5}, 15, DType::Float32, -3, 3);
  for (int64_t d : {0, 1, -1}) {
    CHECK(parity([d](const Xs& v) { return softmax(v[0], d); }, {x}, 1e-5, 1e-6) == "");
    CHECK(parity([d](const Xs& v) { return log_softmax(v[0], d); }, {x}, 1e-5, 1e-5) == "");
  }
  Generator gen(16);
  Tensor target = randint(0, 313, {3, 4, 5}, gen);
  target.data<int64_t>()[7] = -100;  // one ignored position
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    CHECK(parity([&](const Xs& v) {
            return cross_entropy(v[0], target.to(v[0].device()), r);
          },
          {x}, 1e-5, 1e-5) == "");
    Tensor probs = softmax(cpu_leaf({3, 313, 4, 5}, 17), 1).detach().contiguous();
    probs.set_requires_grad();
    CHECK(parity([r](const Xs& v) { return cross_entropy_soft(v[0], v[1], r); }, {x, probs},
                 1e-5, 1e-5) == "");
    Tensor y = cpu_leaf({6, 7}, 18), t = cpu_leaf({6, 7}, 19);
    CHECK(parity([r](const Xs& v) { return mse_loss(v[0], v[1], r); }, {y, t}) == "");
  }
}

TEST_CASE("dropout on the GPU keeps 1-p of the elements, scaled, and backward reuses the mask",
          "[cuda][dropout]") {
  const double p = 0.3;
  Tensor x = ones({200, 1000}).to(Device::cuda()).set_requires_grad();
  Generator gen(5);
  Tensor y = dropout(x, p, true, gen);
  const std::vector<float> v = y.cpu().to_vector<float>();
  int64_t kept = 0;
  for (float e : v) {
    CHECK((e == 0.0f || std::abs(e - 1.0f / 0.7f) < 1e-5f));
    kept += e != 0.0f;
  }
  CHECK(static_cast<double>(kept) / v.size() == Approx(0.7).margin(0.01));
  sum(y).backward();
  CHECK(x.grad().cpu().to_vector<float>() == v);  // d(sum)/dx is the mask times the scale
  CHECK(dropout(x, p, false, gen).same(x));
#if defined(TINT_WITH_CUDA)  // (a build without CUDA has no cuda:: kernels to link)
  // The counter-based twin of the CPU kernel gives the CPU's exact mask.
  Tensor src = rand({1000}, gen);
  Tensor out_cpu = Tensor::empty({1000}), out_gpu = Tensor::empty({1000}, DType::Float32, Device::cuda());
  cpu::dropout_apply(out_cpu, src, 42, 7, p);
  cuda::dropout_apply(out_gpu, src.to(Device::cuda()), 42, 7, p);
  CHECK(out_cpu.to_vector<float>() == out_gpu.cpu().to_vector<float>());
#endif
}

TEST_CASE("float64 gradient checks of the layer ops on the GPU", "[cuda][grad]") {
  auto gpu_leaf = [](const Shape& s, uint64_t seed, double lo = -1, double hi = 1) {
    return leaf64(s, seed, lo, hi).detach().to(Device::cuda()).set_requires_grad();
  };
  Tensor x = gpu_leaf({2, 3, 6, 5}, 1), w = gpu_leaf({4, 3, 3, 3}, 2), b = gpu_leaf({4}, 3);
  CHECK(gradcheck([](const Xs& v) { return conv2d(v[0], v[1], v[2], {2, 1, 1}); }, {x, w, b}) ==
        "");
  Tensor wt = gpu_leaf({3, 2, 4, 4}, 4), bt = gpu_leaf({2}, 5);
  CHECK(gradcheck([](const Xs& v) { return conv_transpose2d(v[0], v[1], v[2], {2, 1, 0, 1}); },
                  {x, wt, bt}) == "");
  Tensor gamma = gpu_leaf({3}, 6, 0.5, 1.5), beta = gpu_leaf({3}, 7);
  CHECK(gradcheck([](const Xs& v) {
          return batch_norm2d(v[0], Tensor(), Tensor(), v[1], v[2], true, 0.1, 1e-5);
        },
        {x, gamma, beta}, {1e-6, 1e-4, 1e-6}) == "");
  CHECK(gradcheck([](const Xs& v) { return upsample_bilinear2d(v[0], UpsampleSize::size(9, 7)); },
                  {x}) == "");
  CHECK(gradcheck([](const Xs& v) { return log_softmax(v[0], 1); }, {x}) == "");
  Generator gen(8);
  const Tensor target = randint(0, 3, {2, 6, 5}, gen).to(Device::cuda());
  CHECK(gradcheck([&](const Xs& v) { return cross_entropy(v[0], target); }, {x}) == "");
}
