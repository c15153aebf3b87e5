// Per-point math of the 313 ab bins, shared by the CPU loops and the CUDA kernels: the
// squared distance to a bin centre, the cell lookup, the exact K nearest bins through
// per-cell candidate lists (BinTable, built by AbBins), and the Gaussian soft-encoding
// weights. Exact means: the same bins, in the same order, as a brute-force scan of all 313
// centres sorted by (squared distance, bin index).
#pragma once

#include <cmath>
#include <cstdint>

#include "framework/core/hd.h"

namespace tint::color::math {

// The largest K the kernels support: they keep the K best in fixed-size local arrays.
constexpr int32_t kMaxNeighbours = 32;

// Plain view of one candidate table, passed to kernels by value. The plane is cut into
// square cells; the candidates of a cell are the bins that can be among the k nearest of
// any point in it (or within a rounding slack of it), in ascending index order. Points
// outside the gridded square (and NaN) fall back to scanning all bins.
struct BinTable {
  const float* a = nullptr;  // bin centres (count each), on the device the table is for
  const float* b = nullptr;
  int32_t count = 0;
  float origin = 0;   // lower corner of the gridded square, on both axes
  float cell = 0;     // side of a cell
  int32_t cells = 0;  // cells per side
  const int32_t* offsets = nullptr;     // cells * cells + 1 (CSR row starts)
  const int32_t* candidates = nullptr;  // bin indices, ascending within each cell
  int32_t k = 0;                        // the lists are exact for up to k neighbours
};

// Squared Euclidean distance to a centre. On the device the operations are spelled out with
// round-to-nearest intrinsics, because nvcc would otherwise contract them into a fused
// multiply-add and round differently from the host, which would break exact ties (the
// midpoint between two bins) differently on the two devices.
template <typename T>
TINT_HD T ab_sq_dist(T a, T b, T ca, T cb) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == sizeof(float)) {
    const float da = __fsub_rn(a, ca), db = __fsub_rn(b, cb);
    return __fadd_rn(__fmul_rn(da, da), __fmul_rn(db, db));
  } else {
    const double da = __dsub_rn(a, ca), db = __dsub_rn(b, cb);
    return __dadd_rn(__dmul_rn(da, da), __dmul_rn(db, db));
  }
#else
  const T da = a - ca, db = b - cb;
  return da * da + db * db;
#endif
}

// The cell holding (a, b), or -1 outside the gridded square or for NaN.
template <typename T>
TINT_HD int32_t ab_cell(const BinTable& t, T a, T b) {
  const T fa = (a - T(t.origin)) / T(t.cell), fb = (b - T(t.origin)) / T(t.cell);
  const T n = T(t.cells);
  if (!(fa >= T(0) && fa < n && fb >= T(0) && fb < n)) return -1;
  int32_t ia = static_cast<int32_t>(fa), ib = static_cast<int32_t>(fb);
  if (ia >= t.cells) ia = t.cells - 1;  // guards a rounding just below n
  if (ib >= t.cells) ib = t.cells - 1;
  return ia * t.cells + ib;
}

// Adds bin q at squared distance d to the list (dist, idx) of *n entries (at most k), kept
// ascending by (distance, index). Bins arrive in ascending index order, so a bin tied with
// one already listed goes after it: ties go to the lower index.
template <typename T>
TINT_HD void ab_insert_neighbour(T* dist, int32_t* idx, int32_t& n, int32_t k, T d, int32_t q) {
  if (n == k && !(d < dist[k - 1])) return;
  int32_t j = n < k ? n++ : k - 1;
  while (j > 0 && d < dist[j - 1]) {
    dist[j] = dist[j - 1];
    idx[j] = idx[j - 1];
    --j;
  }
  dist[j] = d;
  idx[j] = q;
}

// The k nearest bins of (a, b) (k <= t.k) into dist/idx, ascending by (distance, index).
template <typename T>
TINT_HD void ab_k_nearest(const BinTable& t, T a, T b, int32_t k, T* dist, int32_t* idx) {
  int32_t n = 0;
  const int32_t c = ab_cell(t, a, b);
  if (c >= 0) {
    for (int32_t j = t.offsets[c]; j < t.offsets[c + 1]; ++j) {
      const int32_t q = t.candidates[j];
      ab_insert_neighbour(dist, idx, n, k, ab_sq_dist<T>(a, b, T(t.a[q]), T(t.b[q])), q);
    }
  } else {
    for (int32_t q = 0; q < t.count; ++q)
      ab_insert_neighbour(dist, idx, n, k, ab_sq_dist<T>(a, b, T(t.a[q]), T(t.b[q])), q);
  }
}

// The nearest bin (ties to the lower index); any table is exact for it.
template <typename T>
TINT_HD int32_t ab_nearest(const BinTable& t, T a, T b) {
  T d;
  int32_t q = 0;
  ab_k_nearest<T>(t, a, b, 1, &d, &q);
  return q;
}

// Soft-encoding: the k nearest bins and their weights z_j = exp(-dist_j / (2 sigma^2)) / sum,
// in arrays of a compile-time capacity Cap >= k, every loop running over Cap slots (guarded
// by k) so that, unrolled on a GPU, the lists are indexed by constants and can live in
// registers instead of local memory. The list is the k smallest candidates in (distance,
// index) order, which is what ab_k_nearest's insertion keeps (bins arrive in ascending index
// order). The exponent is shifted by the nearest distance, which cancels in the
// normalisation but keeps far-out-of-gamut points (whose every exp(-d / 2 sigma^2)
// underflows) finite: the nearest term is always exp(0) = 1. Callers pick Cap with
// with_soft_encode_capacity(k).
constexpr int32_t kSmallNeighbours = 8;

template <int Cap, typename T>
TINT_HD void ab_k_nearest_fixed(const BinTable& t, T a, T b, int32_t k, T (&dist)[Cap],
                                int32_t (&idx)[Cap]) {
  const int32_t c = ab_cell(t, a, b);
  if (c < 0) {  // outside the gridded square or NaN: the general scan (rare)
    T d_all[kMaxNeighbours];
    int32_t i_all[kMaxNeighbours];
    ab_k_nearest<T>(t, a, b, k, d_all, i_all);
    TINT_DEVICE_UNROLL(32)
    for (int s = 0; s < Cap; ++s) {
      dist[s] = s < k ? d_all[s] : T(INFINITY);
      idx[s] = s < k ? i_all[s] : INT32_MAX;
    }
    return;
  }
  TINT_DEVICE_UNROLL(32)
  for (int s = 0; s < Cap; ++s) dist[s] = T(INFINITY), idx[s] = INT32_MAX;
  for (int32_t j = t.offsets[c]; j < t.offsets[c + 1]; ++j) {
    int32_t q = t.candidates[j];
    T d = ab_sq_dist<T>(a, b, T(t.a[q]), T(t.b[q]));
    // Sink (d, q) into the sorted list: it swaps with every entry it precedes in (distance,
    // index) order, the displaced entry carrying on down.
    TINT_DEVICE_UNROLL(32)
    for (int s = 0; s < Cap; ++s) {
      if (s < k && (d < dist[s] || (d == dist[s] && q < idx[s]))) {
        const T td = dist[s];
        const int32_t tq = idx[s];
        dist[s] = d, idx[s] = q;
        d = td, q = tq;
      }
    }
  }
}

template <int Cap, typename Acc, typename T>
TINT_HD void ab_soft_encode_fixed(const BinTable& t, T a, T b, int32_t k, Acc inv_two_sigma_sq,
                                  int32_t (&idx)[Cap], Acc (&w)[Cap]) {
  T dist[Cap];
  ab_k_nearest_fixed<Cap, T>(t, a, b, k, dist, idx);
  Acc s = 0;
  TINT_DEVICE_UNROLL(32)
  for (int j = 0; j < Cap; ++j) {
    if (j >= k) {
      w[j] = 0;  // unused slot (read by nothing; set for the compilers' sake)
      continue;
    }
    const Acc shifted = static_cast<Acc>(dist[j]) - static_cast<Acc>(dist[0]);
    w[j] = std::exp(-shifted * inv_two_sigma_sq);
    s += w[j];
  }
  TINT_DEVICE_UNROLL(32)
  for (int j = 0; j < Cap; ++j)
    if (j < k) w[j] /= s;
}

// Calls f.template run<Cap>() with the smallest capacity that holds k neighbours.
template <typename F>
TINT_HD void with_soft_encode_capacity(int32_t k, F& f) {
  if (k <= kSmallNeighbours)
    f.template run<kSmallNeighbours>();
  else
    f.template run<kMaxNeighbours>();
}

// Pixel p of a contiguous (N, 2, H, W) ab (plane = H * W) soft-encoded, as the loop and the
// kernel run it: into the sparse (N, K, H, W) indices and weights (weights may be null), or,
// when dense is given, into the dense (N, bins, H, W) target (zeros but for its K bins).
template <typename T>
struct SoftEncodePixel {
  int64_t* indices;
  T* weights;
  T* dense;
  const T* ab;
  const BinTable& table;
  int64_t p, plane;
  int32_t k;
  double inv_two_sigma_sq;

  template <int Cap>
  TINT_HD void run() {
    const int64_t nn = p / plane, at = p % plane;
    const T* src = ab + nn * 2 * plane + at;
    int32_t idx[Cap];
    double w[Cap];
    ab_soft_encode_fixed<Cap, double, T>(table, src[0], src[plane], k, inv_two_sigma_sq, idx, w);
    if (dense) {
      T* out = dense + nn * table.count * plane + at;
      for (int32_t c = 0; c < table.count; ++c) out[c * plane] = T(0);
      TINT_DEVICE_UNROLL(32)
      for (int32_t q = 0; q < Cap; ++q)
        if (q < k) out[idx[q] * plane] = static_cast<T>(w[q]);
      return;
    }
    const int64_t out = nn * k * plane + at;
    TINT_DEVICE_UNROLL(32)
    for (int32_t q = 0; q < Cap; ++q) {
      if (q >= k) continue;
      indices[out + q * plane] = idx[q];
      if (weights) weights[out + q * plane] = static_cast<T>(w[q]);
    }
  }
};

template <typename T>
TINT_HD void soft_encode_pixel(int64_t* indices, T* weights, const T* ab, const BinTable& table,
                               int64_t p, int64_t plane, int32_t k, double inv_two_sigma_sq) {
  SoftEncodePixel<T> f{indices, weights, nullptr, ab, table, p, plane, k, inv_two_sigma_sq};
  with_soft_encode_capacity(k, f);
}

template <typename T>
TINT_HD void soft_encode_dense_pixel(T* dense, const T* ab, const BinTable& table, int64_t p,
                                     int64_t plane, int32_t k, double inv_two_sigma_sq) {
  SoftEncodePixel<T> f{nullptr, nullptr, dense, ab, table, p, plane, k, inv_two_sigma_sq};
  with_soft_encode_capacity(k, f);
}

}  // namespace tint::color::math
