// Fits y = 3x - 1 by gradient descent with tint's autograd: the smallest complete use of an
// installed tint. Prints the learned slope and intercept.
#include <cstdio>

#include "framework/tint.h"

int main() {
  using namespace tint;
  const Tensor x = arange(-1, 1, 0.1).reshape({-1, 1});
  const Tensor y = x * 3.0 - 1.0;
  Tensor w = zeros({1, 1}).set_requires_grad();
  Tensor b = zeros({1}).set_requires_grad();
  for (int step = 0; step < 500; ++step) {
    Tensor loss = mean(pow(linear(x, w, b) - y, 2.0));
    w.zero_grad();
    b.zero_grad();
    loss.backward();
    NoGradGuard no_grad;
    w.add_(w.grad(), -0.5);
    b.add_(b.grad(), -0.5);
  }
  std::printf("slope %.3f intercept %.3f\n", w.item(), b.item());
  return (std::abs(w.item() - 3.0) < 1e-2 && std::abs(b.item() + 1.0) < 1e-2) ? 0 : 1;
}
