// optim: SGD (plain, momentum, dampening, Nesterov, weight decay), Adam and AdamW against
// their update rules written out by hand, the lr schedules against their closed forms, and
// state save/load. Gradients are set directly so these tests need no ops beyond tensors.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "framework/nn/layers.h"
#include "framework/optim/adam.h"
#include "framework/optim/lr_schedule.h"
#include "framework/optim/sgd.h"
#include "framework/tint.h"

using namespace tint;
using Catch::Matchers::Contains;

namespace {

using Vec = std::vector<double>;

Tensor param64(const Vec& values) {
  return from_vector<double>(values, {static_cast<int64_t>(values.size())}).set_requires_grad();
}

void set_grad(const Tensor& p, const Vec& g) {
  p.set_grad(from_vector<double>(g, p.shape(), TensorOptions{}.with_dtype(p.dtype())));
}

void check_close(const Tensor& t, const Vec& expected, double rel = 1e-12) {
  const Vec got = t.to_vector<double>();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(expected[i]).epsilon(rel));
}

// The gradient sequence every SGD/Adam test feeds in.
const std::vector<Vec> kGrads = {{0.5, -1.0}, {1.0, 0.25}, {-0.75, 2.0}};
const Vec kStart = {1.0, -2.0};

}  // namespace

TEST_CASE("plain SGD: p -= lr g", "[optim]") {
  Tensor p = param64(kStart);
  SGD opt({{"p", p}}, SGDOptions{0.1});
  Vec want = kStart;
  for (const Vec& g : kGrads) {
    set_grad(p, g);
    opt.step();
    for (size_t i = 0; i < 2; ++i) want[i] -= 0.1 * g[i];
    check_close(p, want);
  }
  CHECK(opt.step_count() == 3);
  CHECK(opt.state().empty());  // no momentum, no buffer
}

TEST_CASE("SGD with momentum, dampening and weight decay over three steps", "[optim]") {
  const double lr = 0.1, mu = 0.9, damp = 0.25, wd = 0.01;
  Tensor p = param64(kStart);
  SGD opt({{"p", p}}, SGDOptions{lr, mu, damp, wd, false});
  Vec want = kStart, buf(2);
  for (size_t s = 0; s < kGrads.size(); ++s) {
    set_grad(p, kGrads[s]);
    opt.step();
    for (size_t i = 0; i < 2; ++i) {
      const double d = kGrads[s][i] + wd * want[i];
      // The first step stores the gradient undamped (PyTorch's buffer initialisation).
      buf[i] = s == 0 ? d : mu * buf[i] + (1 - damp) * d;
      want[i] -= lr * buf[i];
    }
    check_close(p, want);
  }
  check_close(opt.state().at("p.momentum_buffer"), buf);
}

TEST_CASE("SGD with Nesterov momentum", "[optim]") {
  const double lr = 0.05, mu = 0.8;
  Tensor p = param64(kStart);
  SGD opt({{"p", p}}, SGDOptions{lr, mu, 0.0, 0.0, true});
  Vec want = kStart, buf(2);
  for (size_t s = 0; s < kGrads.size(); ++s) {
    set_grad(p, kGrads[s]);
    opt.step();
    for (size_t i = 0; i < 2; ++i) {
      const double g = kGrads[s][i];
      buf[i] = s == 0 ? g : mu * buf[i] + g;
      want[i] -= lr * (g + mu * buf[i]);
    }
    check_close(p, want);
  }
  CHECK_THROWS_WITH(SGD({{"p", p}}, SGDOptions{0.1, 0.0, 0.0, 0.0, true}), Contains("nesterov"));
  CHECK_THROWS_WITH(SGD({{"p", p}}, SGDOptions{0.1, 0.9, 0.1, 0.0, true}), Contains("dampening"));
}

TEST_CASE("parameters without a gradient are skipped", "[optim]") {
  Tensor a = param64({1, 2}), b = param64({3, 4});
  SGD opt({{"a", a}, {"b", b}}, SGDOptions{0.5, 0.9});
  set_grad(a, {1, 1});
  opt.step();
  check_close(a, {0.5, 1.5});
  check_close(b, {3, 4});
  CHECK(opt.state().count("a.momentum_buffer") == 1);
  CHECK(opt.state().count("b.momentum_buffer") == 0);
  opt.zero_grad();
  CHECK_FALSE(a.grad().defined());
}

TEST_CASE("Adam's first step moves each parameter by about lr * sign(g)", "[optim]") {
  Tensor p = param64({0.3, -0.7, 5.0});
  Adam opt({{"p", p}}, AdamOptions{0.01});
  set_grad(p, {1e-3, -40.0, 2.5});
  opt.step();
  // mhat = g and vhat = g^2 after one step, so the move is lr * g / (|g| + eps).
  check_close(p, {0.3 - 0.01, -0.7 + 0.01, 5.0 - 0.01}, 1e-6);
}

TEST_CASE("Adam and AdamW hand-computed over two steps", "[optim]") {
  const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
  for (bool decoupled : {false, true}) {
    SECTION(decoupled ? "AdamW" : "Adam") {
      Tensor p = param64(kStart);
      std::unique_ptr<Optimizer> opt;
      if (decoupled)
        opt = std::make_unique<AdamW>(NamedParameters{{"p", p}},
                                      AdamWOptions{lr, b1, b2, eps, wd});
      else
        opt = std::make_unique<Adam>(NamedParameters{{"p", p}}, AdamOptions{lr, b1, b2, eps, wd});
      CHECK(opt->type_name() == (decoupled ? "AdamW" : "Adam"));
      Vec want = kStart, m(2), v(2);
      for (int t = 1; t <= 2; ++t) {
        const Vec& grad = kGrads[t - 1];
        set_grad(p, grad);
        opt->step();
        for (size_t i = 0; i < 2; ++i) {
          double g = grad[i];
          if (decoupled)
            want[i] *= 1 - lr * wd;  // decay applied to the parameter, not the gradient
          else
            g += wd * want[i];
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          const double mhat = m[i] / (1 - std::pow(b1, t));
          const double vhat = v[i] / (1 - std::pow(b2, t));
          want[i] -= lr * mhat / (std::sqrt(vhat) + eps);
        }
        check_close(p, want, 1e-10);
      }
      const StateDict st = opt->state();
      check_close(st.at("p.exp_avg"), m, 1e-12);
      check_close(st.at("p.exp_avg_sq"), v, 1e-12);
      CHECK(st.at("p.step").item() == 2);
      CHECK(st.at("p.step").dtype() == DType::Int64);
    }
  }
}

TEST_CASE("AdamW defaults to weight decay 0.01 and differs from Adam's L2", "[optim]") {
  CHECK(AdamWOptions{}.weight_decay == 0.01);
  CHECK(AdamOptions{}.weight_decay == 0.0);
  Tensor a = param64({2.0}), b = param64({2.0});
  Adam adam({{"p", a}}, AdamOptions{0.1, 0.9, 0.999, 1e-8, 0.5});
  AdamW adamw({{"p", b}}, AdamWOptions{0.1, 0.9, 0.999, 1e-8, 0.5});
  set_grad(a, {1.0});
  set_grad(b, {1.0});
  adam.step();
  adamw.step();
  // Adam: the L2 term is inside the normalised step, so it moves by lr = 0.1.
  check_close(a, {1.9}, 1e-9);
  // AdamW: shrink by 1 - lr wd = 0.95 first, then the same normalised step.
  check_close(b, {2.0 * 0.95 - 0.1}, 1e-9);
}

TEST_CASE("float32 parameters follow the same update", "[optim]") {
  Tensor p = from_vector<float>({1.0f, -2.0f}, {2}).set_requires_grad();
  Tensor q = param64(kStart);
  Adam a32({{"p", p}}, AdamOptions{0.1});
  Adam a64({{"p", q}}, AdamOptions{0.1});
  for (int s = 0; s < 2; ++s) {
    set_grad(p, kGrads[s]);
    set_grad(q, kGrads[s]);
    a32.step();
    a64.step();
  }
  check_close(p, q.to_vector<double>(), 1e-6);
  CHECK(p.dtype() == DType::Float32);
}

TEST_CASE("optimizer state round trip: a fresh optimizer continues identically", "[optim]") {
  auto run = [](auto make) {
    Tensor p1 = param64(kStart), w1 = param64({0.5, 0.5});
    auto opt1 = make(NamedParameters{{"p", p1}, {"w", w1}});
    for (int s = 0; s < 2; ++s) {
      set_grad(p1, kGrads[s]);
      set_grad(w1, {0.1 * s, -0.2});
      opt1->step();
    }
    // A second optimizer over copies of the parameters, fed the first one's state.
    Tensor p2 = param64(p1.to_vector<double>()), w2 = param64(w1.to_vector<double>());
    auto opt2 = make(NamedParameters{{"p", p2}, {"w", w2}});
    opt2->load_state(opt1->state(), opt1->step_count());
    CHECK(opt2->step_count() == 2);
    for (auto [pa, pb] : {std::pair{p1, p2}, std::pair{w1, w2}}) {
      set_grad(pa, kGrads[2]);
      set_grad(pb, kGrads[2]);
    }
    opt1->step();
    opt2->step();
    CHECK(p2.to_vector<double>() == p1.to_vector<double>());
    CHECK(w2.to_vector<double>() == w1.to_vector<double>());
  };
  SECTION("SGD") {
    run([](NamedParameters ps) { return std::make_unique<SGD>(ps, SGDOptions{0.1, 0.9}); });
  }
  SECTION("Adam") {
    run([](NamedParameters ps) { return std::make_unique<Adam>(ps, AdamOptions{0.1}); });
  }
  SECTION("AdamW") {
    run([](NamedParameters ps) { return std::make_unique<AdamW>(ps, AdamWOptions{0.1}); });
  }
}

TEST_CASE("load_state checks names, shapes and completeness", "[optim]") {
  Tensor p = param64(kStart);
  Adam opt({{"p", p}});
  set_grad(p, kGrads[0]);
  opt.step();
  const StateDict good = opt.state();

  StateDict unknown = good;
  unknown["q.exp_avg"] = zeros({2});
  CHECK_THROWS_WITH(opt.load_state(unknown, 1), Contains("'q.exp_avg'"));
  StateDict bad_shape = good;
  bad_shape["p.exp_avg"] = zeros({3});
  CHECK_THROWS_WITH(opt.load_state(bad_shape, 1),
                    Contains("'p.exp_avg'") && Contains("[3]") && Contains("[2]"));
  StateDict partial = good;
  partial.erase("p.exp_avg_sq");
  CHECK_THROWS_WITH(opt.load_state(partial, 1), Contains("p.exp_avg_sq"));
  // A failed load leaves the state as it was.
  CHECK(opt.state().at("p.exp_avg").to_vector<double>() ==
        good.at("p.exp_avg").to_vector<double>());
  CHECK(opt.step_count() == 1);

  CHECK_THROWS_WITH(SGD({{"p", p}, {"p", p}}), Contains("'p'") && Contains("twice"));
  CHECK_THROWS_WITH(SGD({{"i", zeros({2}, TensorOptions{}.with_dtype(DType::Int64))}}),
                    Contains("int64"));
  CHECK_THROWS_WITH(Adam({{"p", p}}, AdamOptions{0.1, 1.0}), Contains("beta1"));
}

TEST_CASE("a gradient that does not match its parameter is a clear error", "[optim]") {
  Tensor p = param64(kStart);
  SGD opt({{"weight", p}});
  p.impl()->grad = ones({3}, TensorOptions{}.with_dtype(DType::Float64)).impl();
  CHECK_THROWS_WITH(opt.step(), Contains("'weight'") && Contains("[3]"));
}

// ---- schedules -----------------------------------------------------------------------------

TEST_CASE("StepLR follows base * gamma^floor(epoch / step_size)", "[optim]") {
  Tensor p = param64(kStart);
  SGD opt({{"p", p}}, SGDOptions{0.8});
  StepLR sched(opt, 3, 0.5);
  CHECK(opt.lr() == 0.8);
  for (int epoch = 1; epoch <= 10; ++epoch) {
    sched.step();
    CHECK(sched.last_epoch() == epoch);
    CHECK(opt.lr() == Approx(0.8 * std::pow(0.5, epoch / 3)).epsilon(1e-14));
  }
}

TEST_CASE("CosineAnnealingLR follows the cosine wave, also past T_max", "[optim]") {
  const double base = 0.1, eta_min = 0.001;
  const int t_max = 5;
  Tensor p = param64(kStart);
  Adam opt({{"p", p}}, AdamOptions{base});
  CosineAnnealingLR sched(opt, t_max, eta_min);
  for (int epoch = 1; epoch <= 3 * t_max; ++epoch) {
    sched.step();
    const double closed =
        eta_min + (base - eta_min) * (1 + std::cos(std::numbers::pi * epoch / t_max)) / 2;
    CHECK(opt.lr() == Approx(closed).epsilon(1e-10).margin(1e-15));
  }
  CHECK(sched.last_lr() == opt.lr());
}

TEST_CASE("a schedule resumed from the optimizer's lr and its epoch continues exactly",
          "[optim]") {
  Tensor p = param64(kStart);
  SGD a({{"p", p}}, SGDOptions{0.1});
  CosineAnnealingLR full(a, 10, 0.0);
  for (int e = 0; e < 4; ++e) full.step();
  SGD b({{"p", p}}, SGDOptions{0.1});
  CosineAnnealingLR resumed(b, 10, 0.0);  // base lr recorded as 0.1
  b.set_lr(a.lr());
  resumed.set_last_epoch(full.last_epoch());
  for (int e = 0; e < 6; ++e) {
    full.step();
    resumed.step();
    CHECK(b.lr() == a.lr());
  }
}

TEST_CASE("Linear trained with Adam fits a linear map", "[optim]") {
  Generator gen(5);
  nn::Linear model(3, 1, true, gen);
  Adam opt(model.named_parameters(), AdamOptions{0.05});
  const Tensor x = randn({64, 3}, gen);
  const Tensor w_true = from_vector<float>({1.5f, -2.0f, 0.5f}, {3, 1});
  const Tensor y = matmul(x, w_true) + 0.25;
  double first = 0, last = 0;
  for (int it = 0; it < 300; ++it) {
    opt.zero_grad();
    Tensor loss = mse_loss(model(x), y);
    loss.backward();
    opt.step();
    (it == 0 ? first : last) = loss.item();
  }
  CHECK(last < 1e-3 * first);
  check_close(model.weight(), {1.5, -2.0, 0.5}, 0.02);
  CHECK(model.bias().item() == Approx(0.25).epsilon(0.05));
}
