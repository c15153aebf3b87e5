// FlopCounter: an RAII scope that counts the multiply-add FLOPs (2 x multiply-accumulates)
// of the conv2d, conv_transpose2d and matmul calls (so linear's too) made on this thread
// while it is alive, e.g. to put a network's forward pass next to a GPU's matrix rate:
//
//   FlopCounter counter;
//   model->forward(x);
//   int64_t flops = counter.total();
//
// Thread-local: only ops called on the thread that created the counter are counted, and the
// counter must end on that thread. Scopes nest: an inner counter's count is also added to
// the one it was opened in when it ends. Each call of an op's forward function is counted,
// whatever the grad mode; backward passes are not (they run kernels, not these ops).
// Without an active counter the ops pay one branch on a thread-local pointer.
#pragma once

#include <cstdint>

namespace tint {

class FlopCounter {
 public:
  FlopCounter();   // becomes this thread's active counter
  ~FlopCounter();  // gives the thread back to the enclosing counter, adding its count there
  FlopCounter(const FlopCounter&) = delete;
  FlopCounter& operator=(const FlopCounter&) = delete;

  int64_t total() const { return total_; }
  void add(int64_t flops) { total_ += flops; }

 private:
  int64_t total_ = 0;
  FlopCounter* enclosing_;
};

// 2 * batch * numel(weight) * out_h * out_w: conv2d with weight (C_out, C_in, kH, kW) and
// output out_h x out_w; conv_transpose2d with weight (C_in, C_out, kH, kW) and INPUT
// out_h x out_w (the spatial size of the conv2d whose data-gradient it is).
constexpr int64_t conv_flops(int64_t batch, int64_t weight_numel, int64_t out_h, int64_t out_w) {
  return 2 * batch * weight_numel * out_h * out_w;
}
// 2 * batch * m * n * k for (a batch of) (m, k) x (k, n).
constexpr int64_t matmul_flops(int64_t batch, int64_t m, int64_t n, int64_t k) {
  return 2 * batch * m * n * k;
}

namespace detail {
extern constinit thread_local FlopCounter* active_flop_counter;
}  // namespace detail

// This thread's innermost counter, or null. The counted ops do
//   if (FlopCounter* counter = active_flop_counter()) counter->add(conv_flops(...));
inline FlopCounter* active_flop_counter() {
  return detail::active_flop_counter;
}

}  // namespace tint
