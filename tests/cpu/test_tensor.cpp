// Tensor basics: factories, views (reshape, slice, permute + contiguous), conversions,
// item(), printing, and the errors for misuse.
#include <catch2/catch.hpp>

#include "framework/tint.h"

using namespace tint;
using Catch::Matchers::Contains;

TEST_CASE("factories fill, range and copy host data", "[tensor]") {
  Tensor z = zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.dtype() == DType::Float32);
  CHECK(z.to_vector<float>() == std::vector<float>(6, 0.0f));
  CHECK(ones({4}, TensorOptions{}.with_dtype(DType::Int64)).to_vector<int64_t>() ==
        std::vector<int64_t>{1, 1, 1, 1});
  CHECK(full({2}, 2.5, TensorOptions{}.with_dtype(DType::Float64)).to_vector<double>() ==
        std::vector<double>{2.5, 2.5});
  CHECK(arange(0, 5).to_vector<float>() == std::vector<float>{0, 1, 2, 3, 4});
  CHECK(arange(1, 2, 0.25).numel() == 4);
  Tensor v = from_vector<int32_t>({1, 2, 3, 4, 5, 6}, {3, 2});
  CHECK(v.dtype() == DType::Int32);
  CHECK(v.to_vector<int32_t>() == std::vector<int32_t>{1, 2, 3, 4, 5, 6});
  const uint8_t bytes[3] = {7, 8, 9};
  CHECK(from_buffer(bytes, {3}, DType::UInt8).to_vector<int>() == std::vector<int>{7, 8, 9});
  CHECK(scalar_tensor(3.0).item() == 3.0);
  CHECK_THROWS_WITH(from_vector<float>({1, 2, 3}, {2, 2}), Contains("do not fill shape [2, 2]"));
  CHECK(full({3}, 300.0, TensorOptions{}.with_dtype(DType::UInt8)).numel() == 3);
  CHECK(zeros({0, 4}).numel() == 0);
  // fill_ writes exactly its view: a contiguous slice at an offset, and a strided one.
  Tensor m = zeros({4, 3});
  m.slice(0, 1, 3).fill_(2);
  m.slice(1, 2, 3).fill_(-1);
  CHECK(m.to_vector<float>() == std::vector<float>{0, 0, -1, 2, 2, -1, 2, 2, -1, 0, 0, -1});
}

TEST_CASE("seeded generators reproduce rand and randn", "[tensor]") {
  Generator a(42), b(42), c(43);
  const Tensor ra = rand({1000}, a), rb = rand({1000}, b), rc = rand({1000}, c);
  CHECK(ra.to_vector<float>() == rb.to_vector<float>());
  CHECK(ra.to_vector<float>() != rc.to_vector<float>());
  const auto u = ra.to_vector<double>();
  CHECK(*std::min_element(u.begin(), u.end()) >= 0.0);
  CHECK(*std::max_element(u.begin(), u.end()) < 1.0);
  CHECK(mean(ra).item() == Approx(0.5).margin(0.03));
  Generator g(7);
  const Tensor n = randn({20000}, g, TensorOptions{}.with_dtype(DType::Float64));
  CHECK(mean(n).item() == Approx(0.0).margin(0.03));
  CHECK(mean(mul(n, n)).item() == Approx(1.0).margin(0.05));
  // A second draw continues the stream rather than repeating it.
  Generator fresh(42);
  CHECK(rand({4}, a).to_vector<float>() != rand({4}, fresh).to_vector<float>());
}

TEST_CASE("views share storage and contiguous copies", "[tensor]") {
  Tensor x = arange(0, 24).reshape({2, 3, 4});
  CHECK(x.is_contiguous());
  Tensor p = x.permute({2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK_FALSE(p.is_contiguous());
  Tensor pc = p.contiguous();
  CHECK(pc.is_contiguous());
  CHECK(pc.to_vector<float>()[1] == 4.0f);  // p[0][0][1] = x[0][1][0]
  Tensor s = x.slice(2, 1, 4, 2);           // columns 1 and 3
  CHECK(s.shape() == Shape{2, 3, 2});
  CHECK(s.to_vector<float>() == std::vector<float>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23});
  s.fill_(-1.0);  // writes through to x
  CHECK(x.to_vector<float>()[1] == -1.0f);
  CHECK(x.to_vector<float>()[0] == 0.0f);
  CHECK(x.reshape({-1, 6}).shape() == Shape{4, 6});
  CHECK(x.transpose(0, 2).shape() == Shape{4, 3, 2});
  CHECK(x.unsqueeze(1).shape() == Shape{2, 1, 3, 4});
  CHECK(x.unsqueeze(1).squeeze(1).shape() == Shape{2, 3, 4});
  CHECK_THROWS_WITH(x.reshape({5, 5}), Contains("cannot reshape [2, 3, 4]"));
  CHECK_THROWS_WITH(x.permute({0, 0, 1}), Contains("repeated"));
  CHECK_THROWS_WITH(x.slice(3, 0, 1), Contains("out of range"));
}

TEST_CASE("to() converts dtypes and item() reads one element", "[tensor]") {
  Tensor x = from_vector<float>({1.5f, -2.25f}, {2});
  CHECK(x.to(DType::Float64).to_vector<double>() == std::vector<double>{1.5, -2.25});
  CHECK(x.to(DType::Int64).to_vector<int64_t>() == std::vector<int64_t>{1, -2});
  CHECK(x.to(DType::Float32).same(x));
  CHECK(x.slice(0, 1, 2).item() == -2.25);
  CHECK_THROWS_WITH(x.item(), Contains("exactly one element"));
  CHECK_THROWS_WITH(x.data<double>(), Contains("float32"));
#ifndef TINT_WITH_CUDA
  CHECK_THROWS_WITH(x.to(Device::cuda()), Contains("CUDA"));
#endif
  CHECK(Device::parse("cuda:1") == Device::cuda(1));
  CHECK_THROWS_WITH(Device::parse("gpu"), Contains("expected cpu, cuda or cuda:N"));
}

TEST_CASE("printing shows values, shape and dtype", "[tensor]") {
  const std::string s = arange(0, 6).reshape({2, 3}).str();
  CHECK_THAT(s, Contains("tensor([["));
  CHECK_THAT(s, Contains("5.0000"));
  CHECK_THAT(s, Contains("shape=[2, 3], dtype=float32"));
  CHECK_THAT(arange(0, 100, 1, TensorOptions{}.with_dtype(DType::Int64)).str(), Contains("..."));
  Tensor w = ones({2}).set_requires_grad();
  CHECK_THAT(w.str(), Contains("requires_grad=true"));
  CHECK_THAT((w * 2.0).str(), Contains("grad_fn=mul_scalar"));
}
