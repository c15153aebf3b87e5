// op_profile (framework/ops/op_profile.h): off by default and then records nothing; on, each
// backend call through TINT_DEVICE_CALL is counted under its function's name with a
// non-negative time; nested scopes count once (the outermost); reset forgets.
#include <catch2/catch.hpp>

#include <algorithm>

#include "framework/tint.h"

using namespace tint;

namespace {

const op_profile::OpTime* find_op(const std::vector<op_profile::OpTime>& rows,
                                  const std::string& op) {
  const auto it = std::find_if(rows.begin(), rows.end(),
                               [&](const op_profile::OpTime& t) { return t.op == op; });
  return it == rows.end() ? nullptr : &*it;
}

// Restores the profile's off state whatever a test does.
struct ProfileOff {
  ~ProfileOff() {
    op_profile::enable(false);
    op_profile::reset();
  }
};

void conv_forward_backward() {
  Generator gen(3);
  const Tensor x = randn({2, 3, 8, 8}, gen, TensorOptions{}.with_requires_grad(true));
  const Tensor w = randn({4, 3, 3, 3}, gen, TensorOptions{}.with_requires_grad(true));
  sum(conv2d(x, w, Tensor(), Conv2dOptions{1, 1, 1})).backward();
}

}  // namespace

TEST_CASE("op_profile records nothing while it is off", "[op_profile]") {
  ProfileOff off;
  op_profile::reset();
  REQUIRE_FALSE(op_profile::enabled());
  conv_forward_backward();
  CHECK(op_profile::snapshot().empty());
}

TEST_CASE("op_profile counts each backend call under its name", "[op_profile]") {
  ProfileOff off;
  op_profile::reset();
  op_profile::enable(true);
  conv_forward_backward();
  conv_forward_backward();
  op_profile::enable(false);
  const auto rows = op_profile::snapshot();
  const op_profile::OpTime* fwd = find_op(rows, "conv2d_forward");
  const op_profile::OpTime* bwd = find_op(rows, "conv2d_backward");
  REQUIRE(fwd != nullptr);
  REQUIRE(bwd != nullptr);
  CHECK(fwd->calls == 2);
  CHECK(bwd->calls == 2);
  for (const auto& t : rows) CHECK(t.seconds >= 0);
  for (size_t i = 1; i < rows.size(); ++i) CHECK(rows[i - 1].seconds >= rows[i].seconds);

  conv_forward_backward();  // off again: no more calls
  CHECK(find_op(op_profile::snapshot(), "conv2d_forward")->calls == 2);
  op_profile::reset();
  CHECK(op_profile::snapshot().empty());
}

TEST_CASE("op_profile times only the outermost of nested scopes", "[op_profile]") {
  ProfileOff off;
  op_profile::reset();
  {
    op_profile::Scope outer("outer_op", Device::cpu());
    op_profile::Scope inner("inner_op", Device::cpu());
  }
  const auto rows = op_profile::snapshot();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == "outer_op");
  CHECK(rows[0].calls == 1);
}
