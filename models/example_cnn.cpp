// The bar-orientation example: data generation and the small CNN.
#include "models/example_cnn.h"

#include "framework/core/random_math.h"
#include "framework/ops/mixed_precision.h"

namespace tint::models {

LabelledImages make_bar_images(int64_t n, int64_t size, Generator& gen) {
  TINT_CHECK(n > 0 && size >= 6, "make_bar_images: needs n > 0 and size >= 6, got n ", n,
             ", size ", size);
  Tensor images = randn({n, 1, size, size}, gen, {}, 0.0, 0.3);
  Tensor labels = randint(0, kBarClasses, {n}, gen);
  const Tensor offsets = randint(1, size - 1, {n}, gen);
  float* px = images.data<float>();
  const int64_t* label = labels.data<int64_t>();
  const int64_t* offset = offsets.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    float* img = px + i * size * size;
    for (int64_t t = 0; t < size; ++t) {
      int64_t r = 0, c = 0;
      switch (label[i]) {
        case 0: r = offset[i], c = t; break;                          // horizontal
        case 1: r = t, c = offset[i]; break;                          // vertical
        case 2: r = t, c = (t + offset[i]) % size; break;             // diagonal
        default: r = t, c = (size - 1 - t + offset[i]) % size; break;  // anti-diagonal
      }
      img[r * size + c] += 1.0f;
    }
  }
  return {images, labels};
}

ExampleCnn::ExampleCnn(int64_t width, Generator& gen) {
  features_ = register_module(
      "features",
      std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
          std::make_shared<nn::Conv2d>(1, width, Pair(3), Conv2dOptions{1, 1, 1}, true, gen),
          std::make_shared<nn::BatchNorm2d>(width),
          std::make_shared<nn::ReLU>(),
          std::make_shared<nn::Conv2d>(width, 2 * width, Pair(3), Conv2dOptions{2, 1, 1}, true,
                                       gen),
          std::make_shared<nn::BatchNorm2d>(2 * width),
          std::make_shared<nn::ReLU>(),
          std::make_shared<nn::Conv2d>(2 * width, kBarClasses, Pair(1), Conv2dOptions{}, true,
                                       gen),
      }));
}

Tensor ExampleCnn::forward(const Tensor& images) {
  // float32 logits also under nn::settings().autocast_bfloat16 (the pooling runs in float32).
  return mean(mean(float32_if_bfloat16((*features_)(images)), 3), 2);
}

double classification_accuracy(ExampleCnn& model, const LabelledImages& data, Device device) {
  model.eval();
  NoGradGuard no_grad;
  const Tensor predicted = argmax(model(data.images.to(device)), 1).cpu();
  return mean(eq(predicted, data.labels.cpu()).to(DType::Float64)).item();
}

}  // namespace tint::models
