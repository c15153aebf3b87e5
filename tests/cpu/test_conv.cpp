// conv2d and conv_transpose2d on the cpu: forward against direct-loop convolutions written
// here, float64 gradchecks of input, weight and bias over strides, paddings, dilations,
// output_padding, odd and non-square shapes and 1x1 kernels, thread-count independence, the
// shared im2col/col2im element math the CUDA kernels will use, and argument errors.
#include <omp.h>

#include <catch2/catch.hpp>

#include "framework/ops/cpu/conv.h"
#include "framework/ops/math/conv.h"
#include "framework/tint.h"
#include "gradcheck.h"

using namespace tint;
using Catch::Matchers::Contains;
using tint::testing::gradcheck;
using tint::testing::leaf64;
using tint::testing::max_abs_diff;

namespace {

struct ConvCase {
  Shape input, weight;
  bool bias;
  Pair stride, padding, dilation, output_padding;  // output_padding: transposed only
};

std::string case_name(const ConvCase& c) {
  return detail::concat("input ", shape_str(c.input), " weight ", shape_str(c.weight),
                        c.bias ? " +bias" : "", " stride (", c.stride.h, ",", c.stride.w,
                        ") padding (", c.padding.h, ",", c.padding.w, ") dilation (", c.dilation.h,
                        ",", c.dilation.w, ") output_padding (", c.output_padding.h, ",",
                        c.output_padding.w, ")");
}

Conv2dOptions conv_options(const ConvCase& c) {
  return {c.stride, c.padding, c.dilation};
}
ConvTranspose2dOptions transpose_options(const ConvCase& c) {
  return {c.stride, c.padding, c.output_padding, c.dilation};
}

// Direct definition: y[n,o,i,j] = b[o] + sum_{c,p,q} x[n,c,i*s-pad+p*d, j*s-pad+q*d] w[o,c,p,q].
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvCase& c) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), KH = w.size(2), KW = w.size(3);
  const int64_t OH = (H + 2 * c.padding.h - c.dilation.h * (KH - 1) - 1) / c.stride.h + 1;
  const int64_t OW = (W + 2 * c.padding.w - c.dilation.w * (KW - 1) - 1) / c.stride.w + 1;
  const std::vector<double> xv = x.to_vector<double>(), wv = w.to_vector<double>();
  const std::vector<double> bv = b.defined() ? b.to_vector<double>() : std::vector<double>(O);
  std::vector<double> y(N * O * OH * OW);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double acc = bv[o];
          for (int64_t ch = 0; ch < C; ++ch)
            for (int64_t p = 0; p < KH; ++p)
              for (int64_t q = 0; q < KW; ++q) {
                const int64_t ih = i * c.stride.h - c.padding.h + p * c.dilation.h;
                const int64_t iw = j * c.stride.w - c.padding.w + q * c.dilation.w;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += xv[((n * C + ch) * H + ih) * W + iw] * wv[((o * C + ch) * KH + p) * KW + q];
              }
          y[((n * O + o) * OH + i) * OW + j] = acc;
        }
  return from_vector(y, {N, O, OH, OW});
}

// Direct definition of the transpose: each input pixel scatters x * w into the output.
Tensor naive_conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& b,
                              const ConvCase& c) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(1), KH = w.size(2), KW = w.size(3);
  const int64_t OH =
      (H - 1) * c.stride.h - 2 * c.padding.h + c.dilation.h * (KH - 1) + c.output_padding.h + 1;
  const int64_t OW =
      (W - 1) * c.stride.w - 2 * c.padding.w + c.dilation.w * (KW - 1) + c.output_padding.w + 1;
  const std::vector<double> xv = x.to_vector<double>(), wv = w.to_vector<double>();
  const std::vector<double> bv = b.defined() ? b.to_vector<double>() : std::vector<double>(O);
  std::vector<double> y(N * O * OH * OW);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t k = 0; k < OH * OW; ++k) y[(n * O + o) * OH * OW + k] = bv[o];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t ch = 0; ch < C; ++ch)
      for (int64_t i = 0; i < H; ++i)
        for (int64_t j = 0; j < W; ++j)
          for (int64_t o = 0; o < O; ++o)
            for (int64_t p = 0; p < KH; ++p)
              for (int64_t q = 0; q < KW; ++q) {
                const int64_t oh = i * c.stride.h - c.padding.h + p * c.dilation.h;
                const int64_t ow = j * c.stride.w - c.padding.w + q * c.dilation.w;
                if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                y[((n * O + o) * OH + oh) * OW + ow] +=
                    xv[((n * C + ch) * H + i) * W + j] * wv[((ch * O + o) * KH + p) * KW + q];
              }
  return from_vector(y, {N, O, OH, OW});
}

const std::vector<ConvCase> kConvCases = {
    {{1, 2, 7, 5}, {3, 2, 3, 3}, true, 1, 1, 1, 0},                 // odd sizes, padding 1
    {{2, 3, 6, 6}, {2, 3, 3, 3}, true, 2, 1, 1, 0},                 // stride 2
    {{1, 2, 6, 7}, {2, 2, 3, 3}, false, 1, 2, 2, 0},                // dilation 2, padding 2
    {{2, 3, 4, 5}, {4, 3, 1, 1}, true, 1, 0, 1, 0},                 // 1x1 fast path
    {{1, 2, 5, 5}, {2, 2, 1, 1}, false, 2, 0, 1, 0},                // 1x1 strided (im2col)
    {{1, 2, 7, 6}, {2, 2, 3, 2}, true, {2, 1}, {2, 0}, {1, 2}, 0},  // non-square everything
    {{3, 1, 5, 4}, {2, 1, 2, 3}, true, {1, 3}, {1, 2}, 1, 0},       // batch 3, kernel > stride
    {{1, 1, 4, 4}, {1, 1, 5, 5}, false, 1, 2, 1, 0},                // kernel larger than input
};

const std::vector<ConvCase> kTransposeCases = {
    {{1, 2, 3, 4}, {2, 3, 3, 3}, true, 2, 1, 1, 1},   // stride 2, output_padding 1
    {{2, 3, 4, 3}, {3, 2, 3, 3}, true, 1, 0, 1, 0},   // plain
    {{1, 2, 3, 3}, {2, 2, 3, 3}, false, 1, 1, 2, 1},  // output_padding < dilation
    {{1, 2, 3, 5}, {2, 2, 2, 3}, true, {2, 3}, {0, 1}, {2, 1}, {1, 2}},  // non-square
    {{2, 3, 3, 4}, {3, 2, 1, 1}, true, 1, 0, 1, 0},                      // 1x1 fast path
    {{1, 2, 4, 4}, {2, 1, 4, 4}, false, 2, 1, 1, 0},                     // the usual 2x upsampler
};

TensorOptions f64() {
  return TensorOptions{}.with_dtype(DType::Float64);
}

}  // namespace

TEST_CASE("conv output sizes follow PyTorch's formulas", "[conv]") {
  CHECK(conv_output_size(7, 3, 1, 1, 1) == 7);
  CHECK(conv_output_size(7, 3, 2, 1, 1) == 4);
  CHECK(conv_output_size(8, 3, 2, 1, 1) == 4);
  CHECK(conv_output_size(9, 3, 1, 2, 2) == 9);
  CHECK(conv_output_size(4, 5, 1, 0, 1) == 0);
  CHECK(conv_output_size(2, 4, 2, 0, 1) <= 0);  // floored: truncation would give 1
  CHECK(conv_transpose_output_size(4, 3, 2, 1, 1, 1) == 8);
  CHECK(conv_transpose_output_size(4, 4, 2, 1, 0, 1) == 8);
  CHECK(conv_transpose_output_size(3, 3, 1, 1, 1, 2) == 6);
}

TEST_CASE("conv2d forward matches a direct-loop convolution", "[conv]") {
  for (const ConvCase& c : kConvCases) {
    INFO(case_name(c));
    Generator gen(7);
    const Tensor x = randn(c.input, gen, f64());
    const Tensor w = randn(c.weight, gen, f64());
    const Tensor b = c.bias ? randn({c.weight[0]}, gen, f64()) : Tensor();
    const Tensor expected = naive_conv2d(x, w, b, c);
    const Tensor y = conv2d(x, w, b, conv_options(c));
    REQUIRE(y.shape() == expected.shape());
    CHECK(max_abs_diff(y, expected) < 1e-12);
    // float32 runs the same loops through sgemm.
    const Tensor y32 = conv2d(x.to(DType::Float32), w.to(DType::Float32),
                              b.defined() ? b.to(DType::Float32) : Tensor(), conv_options(c));
    CHECK(y32.dtype() == DType::Float32);
    CHECK(max_abs_diff(y32.to(DType::Float64), expected) < 1e-4);
  }
}

TEST_CASE("conv_transpose2d forward matches a direct-loop transposed convolution", "[conv]") {
  for (const ConvCase& c : kTransposeCases) {
    INFO(case_name(c));
    Generator gen(11);
    const Tensor x = randn(c.input, gen, f64());
    const Tensor w = randn(c.weight, gen, f64());
    const Tensor b = c.bias ? randn({c.weight[1]}, gen, f64()) : Tensor();
    const Tensor expected = naive_conv_transpose2d(x, w, b, c);
    const Tensor y = conv_transpose2d(x, w, b, transpose_options(c));
    REQUIRE(y.shape() == expected.shape());
    CHECK(max_abs_diff(y, expected) < 1e-12);
    const Tensor y32 =
        conv_transpose2d(x.to(DType::Float32), w.to(DType::Float32),
                         b.defined() ? b.to(DType::Float32) : Tensor(), transpose_options(c));
    CHECK(max_abs_diff(y32.to(DType::Float64), expected) < 1e-4);
  }
}

TEST_CASE("conv2d gradients pass a float64 gradcheck", "[conv]") {
  uint64_t seed = 100;
  for (const ConvCase& c : kConvCases) {
    INFO(case_name(c));
    std::vector<Tensor> inputs = {leaf64(c.input, ++seed), leaf64(c.weight, ++seed)};
    if (c.bias) inputs.push_back(leaf64({c.weight[0]}, ++seed));
    const Conv2dOptions options = conv_options(c);
    CHECK(gradcheck(
              [&](const std::vector<Tensor>& v) {
                return conv2d(v[0], v[1], v.size() > 2 ? v[2] : Tensor(), options);
              },
              inputs) == "");
  }
}

TEST_CASE("conv_transpose2d gradients pass a float64 gradcheck", "[conv]") {
  uint64_t seed = 200;
  for (const ConvCase& c : kTransposeCases) {
    INFO(case_name(c));
    std::vector<Tensor> inputs = {leaf64(c.input, ++seed), leaf64(c.weight, ++seed)};
    if (c.bias) inputs.push_back(leaf64({c.weight[1]}, ++seed));
    const ConvTranspose2dOptions options = transpose_options(c);
    CHECK(gradcheck(
              [&](const std::vector<Tensor>& v) {
                return conv_transpose2d(v[0], v[1], v.size() > 2 ? v[2] : Tensor(), options);
              },
              inputs) == "");
  }
}

TEST_CASE("conv gradients reach only the inputs that require them", "[conv]") {
  Generator gen(3);
  const Tensor x = randn({2, 2, 5, 5}, gen, f64());  // no grad: a network's image input
  Tensor w = randn({3, 2, 3, 3}, gen, f64()).set_requires_grad();
  Tensor b = randn({3}, gen, f64()).set_requires_grad();
  sum(conv2d(x, w, b, {.padding = 1})).backward();
  CHECK_FALSE(x.grad().defined());
  REQUIRE(w.grad().defined());
  // d sum(y) / d b[o] counts the output positions: 2 samples x 5 x 5.
  CHECK(b.grad().to_vector<double>() == std::vector<double>{50, 50, 50});
}

TEST_CASE("conv results do not depend on the thread count", "[conv]") {
  // batch >= threads takes whole samples per thread (with per-thread weight-gradient
  // partial sums); batch < threads runs samples in order with threaded loops inside.
  const int saved = omp_get_max_threads();
  auto run = [](int threads, bool transpose) {
    omp_set_num_threads(threads);
    Generator gen(5);
    // Big enough (~0.5M multiply-adds) that the kernels do go parallel.
    Tensor x = randn({3, 8, 24, 23}, gen, f64()).set_requires_grad();
    Tensor w =
        randn(transpose ? Shape{8, 16, 3, 3} : Shape{16, 8, 3, 3}, gen, f64()).set_requires_grad();
    Tensor b = randn({16}, gen, f64()).set_requires_grad();
    Tensor y = transpose ? conv_transpose2d(x, w, b, {.stride = 2, .padding = 1})
                         : conv2d(x, w, b, {.stride = 2, .padding = 1});
    const ConvCase c{x.shape(), w.shape(), true, 2, 1, 1, 0};
    CHECK(max_abs_diff(y, transpose ? naive_conv_transpose2d(x, w, b, c)
                                    : naive_conv2d(x, w, b, c)) < 1e-12);
    y.backward(randn(y.shape(), gen, f64()));
    return std::vector<Tensor>{y.detach(), x.grad(), w.grad(), b.grad()};
  };
  for (bool transpose : {false, true}) {
    INFO((transpose ? "conv_transpose2d" : "conv2d"));
    const auto one = run(1, transpose), two = run(2, transpose), five = run(5, transpose);
    for (size_t i = 0; i < one.size(); ++i) {
      CHECK(max_abs_diff(one[i], two[i]) < 1e-12);
      CHECK(max_abs_diff(one[i], five[i]) < 1e-12);
    }
  }
  omp_set_num_threads(saved);
}

TEST_CASE("im2col and col2im loops agree with the per-element math the GPU uses", "[conv]") {
  const std::vector<math::ConvGeometry> geometries = {
      {2, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 5, 6},  // same padding
      {3, 7, 5, 3, 2, 2, 3, 2, 0, 1, 2, 5, 1},  // strided, dilated, non-square
      {1, 6, 6, 4, 4, 2, 2, 1, 1, 1, 1, 3, 3},  // transposed-conv style 2x kernel
      {2, 6, 5, 3, 3, 1, 1, 1, 1, 2, 2, 3, 2},  // fewer columns than the conv covers
  };
  for (const math::ConvGeometry& g : geometries) {
    INFO("geometry channels " << g.channels << " image " << g.height << "x" << g.width << " out "
                              << g.out_h << "x" << g.out_w);
    Generator gen(9);
    const Tensor image = randn({g.channels, g.height, g.width}, gen, f64());
    Tensor cols = Tensor::empty({g.col_rows(), g.col_cols()}, DType::Float64);
    cpu::im2col(cols, image, g);
    const std::vector<double> c = cols.to_vector<double>();
    const double* img = image.data<double>();
    int64_t mismatches = 0;
    for (int64_t r = 0; r < g.col_rows(); ++r)
      for (int64_t j = 0; j < g.col_cols(); ++j)
        mismatches += c[r * g.col_cols() + j] != math::im2col_element(img, g, r, j);
    CHECK(mismatches == 0);

    const Tensor columns = randn({g.col_rows(), g.col_cols()}, gen, f64());
    Tensor back = full({g.channels, g.height, g.width}, 123.0, f64());  // must be overwritten
    cpu::col2im(back, columns, g);
    const std::vector<double> bv = back.to_vector<double>();
    double worst = 0;
    for (int64_t ch = 0; ch < g.channels; ++ch)
      for (int64_t i = 0; i < g.height; ++i)
        for (int64_t j = 0; j < g.width; ++j)
          worst =
              std::max(worst, std::abs(bv[(ch * g.height + i) * g.width + j] -
                                       math::col2im_pixel(columns.data<double>(), g, ch, i, j)));
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("conv2d rejects bad arguments with the op and the shapes", "[conv]") {
  const Tensor x = zeros({2, 3, 8, 8});
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 4, 3, 3})),
                    Contains("conv2d: input has 3 channels but weight [8, 4, 3, 3] expects 4") &&
                        Contains("[2, 3, 8, 8]"));
  CHECK_THROWS_WITH(conv2d(zeros({3, 8, 8}), zeros({8, 3, 3, 3})),
                    Contains("conv2d: the input must be 4-D") && Contains("[3, 8, 8]"));
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 3, 3})),
                    Contains("conv2d: the weight must be 4-D") && Contains("[8, 3, 3]"));
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 3, 3, 3}, f64())), Contains("conv2d: dtype mismatch") &&
                                                               Contains("float32") &&
                                                               Contains("float64"));
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 3, 3, 3}), zeros({5})),
                    Contains("conv2d: bias shape [5]") && Contains("[8, 3, 3, 3]"));
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 3, 3, 3}), zeros({8}, f64())),
                    Contains("conv2d: dtype mismatch") && Contains("bias"));
  CHECK_THROWS_WITH(conv2d(zeros({1, 1, 2, 2}), zeros({1, 1, 3, 3})),
                    Contains("conv2d: input [1, 1, 2, 2]") && Contains("[1, 1, 3, 3]") &&
                        Contains("smaller than the kernel"));
  CHECK_THROWS_WITH(conv2d(zeros({1, 1, 5, 5}), zeros({1, 1, 3, 3}), Tensor(), {.dilation = 3}),
                    Contains("conv2d: input [1, 1, 5, 5]") && Contains("dilated by (3, 3)"));
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 3, 3, 3}), Tensor(), {.stride = 0}),
                    Contains("conv2d: stride must be positive, got (0, 0)"));
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 3, 3, 3}), Tensor(), {.padding = {1, -1}}),
                    Contains("conv2d: padding must be non-negative, got (1, -1)"));
  CHECK_THROWS_WITH(conv2d(x, zeros({8, 3, 0, 3})),
                    Contains("conv2d: the weight [8, 3, 0, 3] has an empty dim"));
  CHECK_THROWS_WITH(
      conv2d(zeros({2, 3, 8, 8}, TensorOptions{}.with_dtype(DType::Int32)), zeros({8, 3, 3, 3})),
      Contains("conv2d: the input must be float32 or float64, got int32"));
}

TEST_CASE("conv_transpose2d rejects bad arguments with the op and the shapes", "[conv]") {
  const Tensor x = zeros({1, 3, 4, 4});
  CHECK_THROWS_WITH(
      conv_transpose2d(x, zeros({4, 2, 3, 3})),
      Contains("conv_transpose2d: input has 3 channels but weight [4, 2, 3, 3] expects 4") &&
          Contains("[1, 3, 4, 4]"));
  CHECK_THROWS_WITH(conv_transpose2d(x, zeros({3, 2, 3, 3}), zeros({3})),
                    Contains("conv_transpose2d: bias shape [3]") && Contains("[3, 2, 3, 3]"));
  // output_padding must be below stride or dilation (PyTorch's rule), per axis.
  CHECK_THROWS_WITH(
      conv_transpose2d(x, zeros({3, 2, 3, 3}), Tensor(), {.stride = 2, .output_padding = 2}),
      Contains("conv_transpose2d: output_padding (2, 2) must be smaller than either stride "
               "(2, 2) or dilation (1, 1)"));
  CHECK_THROWS_WITH(conv_transpose2d(x, zeros({3, 2, 3, 3}), Tensor(),
                                     {.stride = {2, 1}, .output_padding = {1, 1}}),
                    Contains("output_padding (1, 1) must be smaller"));
  CHECK_NOTHROW(
      conv_transpose2d(x, zeros({3, 2, 3, 3}), Tensor(), {.output_padding = 1, .dilation = 2}));
  CHECK_THROWS_WITH(
      conv_transpose2d(zeros({1, 3, 1, 1}), zeros({3, 2, 1, 1}), Tensor(), {.padding = 1}),
      Contains("conv_transpose2d: input [1, 3, 1, 1]") && Contains("[3, 2, 1, 1]") &&
          Contains("empty output"));
  CHECK_THROWS_WITH(conv_transpose2d(zeros({3, 4, 4}), zeros({3, 2, 3, 3})),
                    Contains("conv_transpose2d: the input must be 4-D") && Contains("[3, 4, 4]"));
}
