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
//
// Private pools (for CUDA graphs, framework/cuda/graph.h): while a private pool is active,
// requests are served from that pool's own segments, and a block freed at any time returns
// to the pool it came from. A captured graph replays its work at the addresses it was given,
// so those stay reserved for it: nothing outside the pool can be handed them while the pool
// lives. Releasing the pool turns its segments into ordinary cached memory (blocks still
// handed out then return to the default pool when freed). The active pool is process-wide
// (the capture runs on one thread; other threads must not allocate on this device then).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
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

  // A new private pool's id (> 0), not yet active.
  int create_pool();
  // Makes a private pool (or 0: the default one) serve the requests that follow.
  void set_active_pool(int pool);
  int active_pool() const;
  // Returns a private pool's memory to the default pool (see above); it must not be active.
  void release_pool(int pool);

  static size_t round_size(size_t nbytes);
  static size_t segment_size(size_t rounded);

 private:
  struct Block;
  struct BySize {
    bool operator()(const Block* a, const Block* b) const;
  };
  using Pool = std::set<Block*, BySize>;
  struct Pools {
    Pool small, large;
    Pool& for_size(size_t rounded) { return rounded <= kSmallRequest ? small : large; }
    Pool& of(const Block& b);
  };

  Pools& pools(int id);
  Block* take_free_block(Pool& pool, size_t rounded);
  Block* new_segment(size_t rounded);
  void release_free_segments();
  void account_alloc(size_t bytes);

  static constexpr size_t kSmallRequest = 1 << 20;

  RawAllocator raw_;
  bool caching_;
  mutable std::mutex mutex_;
  Pools default_;
  std::map<int, Pools> private_;
  int active_ = 0, next_pool_ = 1;
  std::unordered_map<void*, Block*> live_;  // handed out, by address
  std::unordered_map<void*, size_t> uncached_;
  AllocatorStats stats_;
};

}  // namespace tint
