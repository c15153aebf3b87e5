// End to end: a small CNN (conv, batch norm, ReLU, mean pooling) trained with Adam on
// generated bar images must lower its loss by at least 5x in 150 steps and classify
// held-out images far above chance (4 classes; at least 90%); and a checkpoint resumed
// mid-run continues exactly.
#include <catch2/catch.hpp>

#include <filesystem>

#include "models/example_cnn.h"

using namespace tint;

namespace {
struct Run {
  double first_loss = 0, last_loss = 0;
};

double train_steps(models::ExampleCnn& model, Optimizer& opt, const models::LabelledImages& data,
                   int64_t steps, int64_t batch, int64_t start = 0, double* first = nullptr,
                   LRScheduler* schedule = nullptr) {
  double loss_value = 0;
  const int64_t n = data.images.shape()[0];
  for (int64_t step = start; step < start + steps; ++step) {
    const int64_t begin = (step * batch) % (n - batch + 1);
    const Tensor x = data.images.slice(0, begin, begin + batch);
    const Tensor y = data.labels.slice(0, begin, begin + batch).contiguous();
    Tensor loss = cross_entropy(model(x), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (schedule) schedule->step();
    loss_value = loss.item();
    if (first && step == start) *first = loss_value;
  }
  return loss_value;
}
}  // namespace

TEST_CASE("a small CNN learns bar orientations", "[training]") {
  Generator gen(2024);
  const models::LabelledImages train = models::make_bar_images(512, 12, gen);
  const models::LabelledImages test = models::make_bar_images(256, 12, gen);
  models::ExampleCnn model(8, gen);
  Adam opt(model.named_parameters(), AdamOptions{.lr = 1e-2});
  // Cosine decay to 0: the batch-norm running statistics catch up with the weights by the
  // end, so eval mode (running statistics) classifies as well as training mode.
  CosineAnnealingLR schedule(opt, 150);
  double first = 0;
  // Average the last 5 losses so one lucky batch cannot pass the test.
  train_steps(model, opt, train, 145, 32, 0, &first, &schedule);
  double last = 0;
  for (int i = 0; i < 5; ++i)
    last += train_steps(model, opt, train, 1, 32, 145 + i, nullptr, &schedule) / 5;
  INFO("first loss " << first << ", mean of last five " << last);
  CHECK(first > 1.2);  // about log(4) = 1.386 at initialisation
  CHECK(last < first / 5);
  const double accuracy = models::classification_accuracy(model, test, Device::cpu());
  INFO("held-out accuracy " << accuracy);
  CHECK(accuracy > 0.9);
}

TEST_CASE("resuming from a checkpoint continues the same run", "[training]") {
  const auto path = std::filesystem::temp_directory_path() / "tint_test_resume.safetensors";
  Generator data_gen(7);
  const models::LabelledImages train = models::make_bar_images(256, 12, data_gen);
  // Uninterrupted: 20 steps.
  Generator g1(11);
  models::ExampleCnn a(8, g1);
  Adam opt_a(a.named_parameters(), AdamOptions{.lr = 5e-3});
  const double straight = train_steps(a, opt_a, train, 20, 32);
  // Interrupted: 12 steps, save, fresh objects, load, 8 more steps.
  Generator g2(11);
  models::ExampleCnn b(8, g2);
  Adam opt_b(b.named_parameters(), AdamOptions{.lr = 5e-3});
  train_steps(b, opt_b, train, 12, 32);
  save_checkpoint(path.string(), b, &opt_b, {});
  Generator g3(99);  // different init: everything must come from the checkpoint
  models::ExampleCnn c(8, g3);
  Adam opt_c(c.named_parameters(), AdamOptions{.lr = 5e-3});
  load_checkpoint(path.string(), c, &opt_c);
  const double resumed = train_steps(c, opt_c, train, 8, 32, 12);
  std::filesystem::remove(path);
  CHECK(resumed == straight);
}
