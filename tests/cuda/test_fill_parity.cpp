// CPU/GPU parity of the fill kernel behind full/zeros/ones/fill_ on a GPU: every dtype, an
// empty tensor, fill_ on a contiguous slice (offset storage) and on a strided view (the copy
// path). Device memory starts as NaN sentinels, so an element the kernel misses shows.
#include <catch2/catch.hpp>

#include "framework/tint.h"

using namespace tint;

TEST_CASE("full on the GPU equals full on the cpu for every dtype", "[cuda][fill]") {
  for (DType d : {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::UInt8,
                  DType::BFloat16}) {
    const Tensor gpu = full({3, 1000, 7}, 42.0, TensorOptions{}.with_dtype(d).with_device(Device::cuda()));
    CHECK(gpu.device().is_cuda());
    CHECK(gpu.cpu().to_vector<double>() == full({3, 1000, 7}, 42.0, TensorOptions{}.with_dtype(d)).to_vector<double>());
  }
  CHECK(zeros({0, 5}, TensorOptions{}.with_device(Device::cuda())).numel() == 0);
  CHECK(ones({5}, TensorOptions{}.with_device(Device::cuda())).cpu().to_vector<float>() ==
        std::vector<float>(5, 1.0f));
}

TEST_CASE("fill_ on GPU views writes exactly the view", "[cuda][fill]") {
  Tensor t = zeros({4, 6}, TensorOptions{}.with_device(Device::cuda()));
  t.slice(0, 1, 3).fill_(2.5);       // contiguous rows 1-2 at an offset
  t.slice(1, 4, 6).fill_(-1.0);      // columns 4-5: strided
  Tensor expected = zeros({4, 6});
  expected.slice(0, 1, 3).fill_(2.5);
  expected.slice(1, 4, 6).fill_(-1.0);
  CHECK(t.cpu().to_vector<float>() == expected.to_vector<float>());
}
