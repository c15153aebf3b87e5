// A caching allocator for device memory, independent of CUDA so its logic is tested on any
// machine: the raw allocator underneath (cudaMalloc/cudaFree on a GPU, a bounded malloc in
// the tests) is a parameter.
//
// As PyTorch's CUDA allocator: requests are rounded (512 B granules); requests up to 1 MiB
// come from 2 MiB segments ("small pool"), up to 10 MiB from 20 MiB segments, larger ones
// from their own segment rounded to 2 MiB. A request takes the best-fitting free block of its
// pool (smallest that fits, then lowest address), splitting off the rest when the rest is
// worth keeping; a freed block merges with free neighbours of the same segment. When the raw
// allocator fails, every wholly free segment is released and the request retried; if it
// still fails, a tint::Error states requested, allocated, cached and peak bytes.
// With caching off (TINT_CUDA_NO_CACHE=1 for compute-sanitizer) every request goes straight
// to the raw allocator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

namespace tint {

struct RawAllocator {
  std::function<void*(size_t)> allocate;  // nullptr when out of memory
  std::function<void(void*)> release;
  std::string name = "device";
};

struct AllocatorStats {
  size_t allocated_bytes = 0;       // in blocks handed out (rounded sizes)
  size_t reserved_bytes = 0;        // in segments held from the raw allocator
  size_t peak_allocated_bytes = 0;
  size_t peak_reserved_bytes = 0;
  int64_t raw_allocations = 0;      // calls to the raw allocator that succeeded
  int64_t cache_hits = 0;           // requests served from cached blocks
};

class CachingAllocator {
 public:
  explicit CachingAllocator(RawAllocator raw, bool caching = true);
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  void* allocate(size_t nbytes);  // nbytes == 0 gives nullptr
  void free(void* ptr);
  // Returns every wholly free segment to the raw allocator.
  void empty_cache();
  AllocatorStats stats() const;
  void reset_peak();
  bool caching() const { return caching_; }

  static size_t round_size(size_t nbytes);
  static size_t segment_size(size_t rounded);

 private:
  struct Block;
  struct BySize {
    bool operator()(const Block* a, const Block* b) const;
  };
  using Pool = std::set<Block*, BySize>;

  Pool& pool_for(size_t rounded) { return rounded <= kSmallRequest ? small_ : large_; }
  Block* take_free_block(Pool& pool, size_t rounded);
  Block* new_segment(size_t rounded);
  void release_free_segments();
  void account_alloc(size_t bytes);

  static constexpr size_t kSmallRequest = 1 << 20;

  RawAllocator raw_;
  bool caching_;
  mutable std::mutex mutex_;
  Pool small_, large_;
  std::unordered_map<void*, Block*> live_;  // handed out, by address
  std::unordered_map<void*, size_t> uncached_;
  AllocatorStats stats_;
};

}  // namespace tint
