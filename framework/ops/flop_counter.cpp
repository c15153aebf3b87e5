// FlopCounter's thread-local active pointer and scope nesting (see flop_counter.h).
#include "framework/ops/flop_counter.h"

namespace tint {

namespace detail {
constinit thread_local FlopCounter* active_flop_counter = nullptr;
}  // namespace detail

FlopCounter::FlopCounter() : enclosing_(detail::active_flop_counter) {
  detail::active_flop_counter = this;
}

FlopCounter::~FlopCounter() {
  detail::active_flop_counter = enclosing_;
  if (enclosing_ != nullptr) enclosing_->add(total_);
}

}  // namespace tint
