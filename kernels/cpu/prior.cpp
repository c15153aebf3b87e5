// Host ab-bin histogram: each OpenMP thread counts into its own int64 histogram (exact, no
// contention), then the thread histograms are added into the float64 counts. The per-pixel
// bin is math::histogram_bin, as on the GPU.
#include "kernels/cpu/prior.h"

#include <vector>

#include "kernels/ab_bins.h"
#include "kernels/math/prior.h"

namespace tint::color::cpu {

namespace {

template <typename T>
void histogram(double* counts, const T* ab, int64_t n, int64_t plane, int64_t batch_stride,
               int64_t channel_stride) {
  const math::BinTable table = AbBins::standard().table(1, Device::cpu());
  const int64_t total = n * plane;
#pragma omp parallel if (total > 65536)
  {
    std::vector<int64_t> local(table.count, 0);
#pragma omp for schedule(static) nowait
    for (int64_t p = 0; p < total; ++p) {
      const T* a = ab + (p / plane) * batch_stride + p % plane;
      const int32_t q = math::histogram_bin<T>(table, a[0], a[channel_stride]);
      if (q >= 0) ++local[q];
    }
#pragma omp critical(tint_prior_histogram)
    for (int32_t q = 0; q < table.count; ++q) counts[q] += static_cast<double>(local[q]);
  }
}

}  // namespace

void accumulate_ab_histogram(const Tensor& counts, const Tensor& ab, int64_t n, int64_t plane,
                             int64_t batch_stride, int64_t channel_stride) {
  double* c = counts.data<double>();
  if (ab.dtype() == DType::Float64)
    return histogram(c, ab.data<double>(), n, plane, batch_stride, channel_stride);
  histogram(c, ab.data<float>(), n, plane, batch_stride, channel_stride);
}

}  // namespace tint::color::cpu
