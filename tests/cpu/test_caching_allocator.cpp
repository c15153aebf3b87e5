// The caching allocator's logic on a fake bounded "device" (host malloc with a byte limit):
// rounding, reuse, best fit, split, merge, release-and-retry on out-of-memory, the error
// message, statistics, the uncached mode, and private pools (CUDA graphs).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>

#include "framework/memory/caching_allocator.h"

using namespace tint;
using Catch::Matchers::Contains;

namespace {
struct FakeDevice {
  size_t limit, used = 0;
  int64_t allocs = 0, frees = 0;
  std::map<void*, size_t> sizes;
  RawAllocator raw() {
    return {[this](size_t n) -> void* {
              if (used + n > limit) return nullptr;
              void* p = std::malloc(n);
              used += n;
              sizes[p] = n;
              ++allocs;
              return p;
            },
            [this](void* p) {
              used -= sizes.at(p);
              sizes.erase(p);
              ++frees;
              std::free(p);
            },
            "fake device"};
  }
};
constexpr size_t MiB = 1 << 20;
}  // namespace

TEST_CASE("sizes round to 512 B and pick their segment", "[allocator]") {
  CHECK(CachingAllocator::round_size(1) == 512);
  CHECK(CachingAllocator::round_size(513) == 1024);
  CHECK(CachingAllocator::segment_size(1024) == 2 * MiB);
  CHECK(CachingAllocator::segment_size(3 * MiB) == 20 * MiB);
  CHECK(CachingAllocator::segment_size(11 * MiB) == 12 * MiB);
}

TEST_CASE("freed blocks are reused without new raw allocations", "[allocator]") {
  FakeDevice dev{64 * MiB};
  CachingAllocator alloc(dev.raw());
  void* a = alloc.allocate(1000);
  alloc.free(a);
  void* b = alloc.allocate(900);  // same rounded size
  CHECK(b == a);
  CHECK(dev.allocs == 1);
  CHECK(alloc.stats().cache_hits == 1);
  alloc.free(b);
}

TEST_CASE("small requests split one segment and merge back when freed", "[allocator]") {
  FakeDevice dev{64 * MiB};
  CachingAllocator alloc(dev.raw());
  void* a = alloc.allocate(4096);
  void* b = alloc.allocate(4096);
  void* c = alloc.allocate(4096);
  CHECK(dev.allocs == 1);  // all three from one 2 MiB segment
  CHECK(static_cast<char*>(b) == static_cast<char*>(a) + 4096);
  CHECK(alloc.stats().allocated_bytes == 3 * 4096);
  CHECK(alloc.stats().reserved_bytes == 2 * MiB);
  alloc.free(a);
  alloc.free(c);
  alloc.free(b);  // merges a, b, c and the tail back into one free segment
  alloc.empty_cache();
  CHECK(dev.frees == 1);
  CHECK(dev.used == 0);
  CHECK(alloc.stats().reserved_bytes == 0);
}

TEST_CASE("best fit takes the smallest free block that fits", "[allocator]") {
  FakeDevice dev{256 * MiB};
  CachingAllocator alloc(dev.raw());
  void* big = alloc.allocate(16 * MiB);
  void* mid = alloc.allocate(11 * MiB);
  alloc.free(big);
  alloc.free(mid);
  void* want = alloc.allocate(10 * MiB + 1);  // fits both; the 12 MiB segment fits best
  CHECK(want == mid);
  alloc.free(want);
}

TEST_CASE("out of memory releases cached segments, retries, then names the numbers",
          "[allocator]") {
  FakeDevice dev{24 * MiB};
  CachingAllocator alloc(dev.raw());
  void* a = alloc.allocate(12 * MiB);
  alloc.free(a);  // cached, not returned
  CHECK(dev.used == 12 * MiB);
  void* b = alloc.allocate(16 * MiB);  // needs the cache released first
  CHECK(b != nullptr);
  CHECK(dev.frees == 1);
  // A 4 MiB request needs a 20 MiB segment, which does not fit in the 8 MiB left.
  CHECK_THROWS_WITH(alloc.allocate(4 * MiB),
                    Contains("fake device out of memory: requested 4194304 bytes") &&
                        Contains("allocated 16777216 bytes") && Contains("cached 0 bytes") &&
                        Contains("peak allocated 16777216 bytes"));
  alloc.free(b);
  CHECK(alloc.stats().peak_allocated_bytes == 16 * MiB);
  alloc.reset_peak();
  CHECK(alloc.stats().peak_allocated_bytes == 0);
}

TEST_CASE("with caching off every request goes to the raw allocator", "[allocator]") {
  FakeDevice dev{64 * MiB};
  CachingAllocator alloc(dev.raw(), /*caching=*/false);
  void* a = alloc.allocate(1000);
  alloc.free(a);
  void* b = alloc.allocate(1000);
  alloc.free(b);
  CHECK(dev.allocs == 2);
  CHECK(dev.frees == 2);
  CHECK(dev.used == 0);
  CHECK(alloc.stats().allocated_bytes == 0);
  CHECK_THROWS_WITH(alloc.free(reinterpret_cast<void*>(0x1000)), Contains("unknown pointer"));
}

TEST_CASE("a private pool keeps its blocks to itself until released", "[allocator]") {
  FakeDevice dev{256 * MiB};
  CachingAllocator alloc(dev.raw());
  void* outside = alloc.allocate(1000);
  alloc.free(outside);  // a free cached block of the default pool
  const int pool = alloc.create_pool();
  CHECK(pool > 0);
  CHECK(alloc.active_pool() == 0);
  alloc.set_active_pool(pool);
  CHECK(alloc.active_pool() == pool);
  // The pool does not take the default pool's cached block: a segment of its own.
  void* a = alloc.allocate(1000);
  CHECK(a != outside);
  CHECK(dev.allocs == 2);
  void* big = alloc.allocate(30 * MiB);
  alloc.free(a);  // back to the pool, reused within it
  void* a2 = alloc.allocate(1000);
  CHECK(a2 == a);
  alloc.set_active_pool(0);
  // Outside the pool: neither its free space nor its freed blocks are handed out.
  alloc.free(a2);
  void* b = alloc.allocate(1000);
  CHECK(b == outside);
  void* c = alloc.allocate(1000);
  CHECK(c != a);
  const int64_t before = dev.allocs;
  void* d = alloc.allocate(30 * MiB);  // a new segment, not the pool's freed one
  alloc.free(big);
  CHECK(d != big);
  CHECK(dev.allocs == before + 1);
  CHECK_THROWS_WITH(alloc.release_pool(pool + 7), Contains("no private pool"));
  alloc.set_active_pool(pool);
  CHECK_THROWS_WITH(alloc.release_pool(pool), Contains("still active"));
  alloc.set_active_pool(0);
  // Released: its memory serves everyone, nothing new is allocated for these.
  alloc.release_pool(pool);
  const int64_t raw_before = dev.allocs;
  void* e = alloc.allocate(1000);
  void* f = alloc.allocate(30 * MiB);
  CHECK(dev.allocs == raw_before);
  CHECK(f == big);
  CHECK_THROWS_WITH(alloc.set_active_pool(pool), Contains("no private pool"));
  for (void* p : {b, c, d, e, f}) alloc.free(p);
  CHECK(alloc.stats().allocated_bytes == 0);
  alloc.empty_cache();
  CHECK(dev.used == 0);
}

TEST_CASE("a block handed out by a private pool returns to it when freed late", "[allocator]") {
  FakeDevice dev{64 * MiB};
  CachingAllocator alloc(dev.raw());
  const int pool = alloc.create_pool();
  alloc.set_active_pool(pool);
  void* kept = alloc.allocate(4096);  // outlives the capture (a static output)
  alloc.set_active_pool(0);
  alloc.free(kept);  // freed outside: still the pool's
  void* other = alloc.allocate(4096);
  CHECK(other != kept);
  alloc.set_active_pool(pool);
  CHECK(alloc.allocate(4096) == kept);
  alloc.set_active_pool(0);
  alloc.free(kept);
  alloc.free(other);
  alloc.release_pool(pool);
  alloc.empty_cache();
  CHECK(dev.used == 0);
}
