// Caching allocator: blocks form a doubly linked list per segment (address order), free
// blocks also sit in a size-ordered set per pool for best-fit lookup.
#include "framework/memory/caching_allocator.h"

#include <algorithm>
#include <vector>

#include "framework/core/error.h"

namespace tint {

struct CachingAllocator::Block {
  char* ptr;
  size_t size;
  bool free = true;
  bool small = false;  // which pool
  int pool = 0;        // 0: the default pool, else a private pool's id
  Block* prev = nullptr;  // neighbours within the segment
  Block* next = nullptr;
  char* segment = nullptr;  // start of the segment (blocks with prev == nullptr own it)
};

bool CachingAllocator::BySize::operator()(const Block* a, const Block* b) const {
  return a->size != b->size ? a->size < b->size : a->ptr < b->ptr;
}

CachingAllocator::Pool& CachingAllocator::Pools::of(const Block& b) {
  return b.small ? small : large;
}

CachingAllocator::Pools& CachingAllocator::pools(int id) {
  if (id == 0) return default_;
  auto it = private_.find(id);
  TINT_CHECK(it != private_.end(), raw_.name, " allocator: no private pool ", id);
  return it->second;
}

int CachingAllocator::create_pool() {
  std::lock_guard<std::mutex> lock(mutex_);
  const int id = next_pool_++;
  private_[id];
  return id;
}

void CachingAllocator::set_active_pool(int pool) {
  std::lock_guard<std::mutex> lock(mutex_);
  pools(pool);  // checks it exists
  active_ = pool;
}

int CachingAllocator::active_pool() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_;
}

void CachingAllocator::release_pool(int pool) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = pool != 0 ? private_.find(pool) : private_.end();
  TINT_CHECK(found != private_.end(), raw_.name, " allocator: no private pool ", pool);
  TINT_CHECK(active_ != pool, raw_.name, " allocator: private pool ", pool,
             " is still active");
  Pools& mine = found->second;
  for (Pool* from : {&mine.small, &mine.large})
    for (Block* b : *from) {
      b->pool = 0;
      default_.of(*b).insert(b);
    }
  for (auto& [ptr, b] : live_)
    if (b->pool == pool) b->pool = 0;
  // Blocks of the pool's segments that are neither free nor live do not exist: each block is
  // one or the other, and every block of a segment has its segment's pool.
  private_.erase(found);
}

namespace {
constexpr size_t kGranule = 512;
constexpr size_t kSmallSegment = 2 << 20;
constexpr size_t kLargeSegment = 20 << 20;
constexpr size_t kMediumRequest = 10 << 20;
constexpr size_t kLargeRound = 2 << 20;
// A split leaves the remainder as a new free block only when it is at least this big.
constexpr size_t kMinSmallRemainder = kGranule;
constexpr size_t kMinLargeRemainder = 1 << 20;

std::string mib(size_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%zu bytes (%.2f MiB)", bytes, bytes / 1048576.0);
  return buf;
}
}  // namespace

CachingAllocator::CachingAllocator(RawAllocator raw, bool caching)
    : raw_(std::move(raw)), caching_(caching) {}

CachingAllocator::~CachingAllocator() {
  // Blocks still handed out belong to tensors that outlive the allocator (static teardown);
  // their segments are left to the process exit. Free segments go back now.
  try {
    release_free_segments();
  } catch (...) {
  }
}

size_t CachingAllocator::round_size(size_t nbytes) {
  return std::max<size_t>(kGranule, (nbytes + kGranule - 1) / kGranule * kGranule);
}

size_t CachingAllocator::segment_size(size_t rounded) {
  if (rounded <= kSmallRequest) return kSmallSegment;
  if (rounded < kMediumRequest) return kLargeSegment;
  return (rounded + kLargeRound - 1) / kLargeRound * kLargeRound;
}

void CachingAllocator::account_alloc(size_t bytes) {
  stats_.allocated_bytes += bytes;
  stats_.peak_allocated_bytes = std::max(stats_.peak_allocated_bytes, stats_.allocated_bytes);
}

CachingAllocator::Block* CachingAllocator::take_free_block(Pool& pool, size_t rounded) {
  Block key{nullptr, rounded};
  key.ptr = nullptr;
  auto it = pool.lower_bound(&key);
  if (it == pool.end()) return nullptr;
  Block* block = *it;
  pool.erase(it);
  return block;
}

CachingAllocator::Block* CachingAllocator::new_segment(size_t rounded) {
  const size_t size = segment_size(rounded);
  void* ptr = raw_.allocate(size);
  if (!ptr) {
    release_free_segments();
    ptr = raw_.allocate(size);
  }
  if (!ptr) {
    TINT_FAIL(raw_.name, " out of memory: requested ", mib(rounded), " (a segment of ",
              mib(size), "); allocated ", mib(stats_.allocated_bytes), ", cached ",
              mib(stats_.reserved_bytes - stats_.allocated_bytes), ", reserved ",
              mib(stats_.reserved_bytes), ", peak allocated ", mib(stats_.peak_allocated_bytes));
  }
  ++stats_.raw_allocations;
  stats_.reserved_bytes += size;
  stats_.peak_reserved_bytes = std::max(stats_.peak_reserved_bytes, stats_.reserved_bytes);
  auto* block = new Block{static_cast<char*>(ptr), size};
  block->small = rounded <= kSmallRequest;
  block->segment = block->ptr;
  return block;
}

void* CachingAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t rounded = round_size(nbytes);
  if (!caching_) {
    void* ptr = raw_.allocate(rounded);
    TINT_CHECK(ptr, raw_.name, " out of memory: requested ", mib(rounded), " with caching off; "
               "allocated ", mib(stats_.allocated_bytes), ", peak allocated ",
               mib(stats_.peak_allocated_bytes));
    ++stats_.raw_allocations;
    uncached_[ptr] = rounded;
    stats_.reserved_bytes += rounded;
    stats_.peak_reserved_bytes = std::max(stats_.peak_reserved_bytes, stats_.reserved_bytes);
    account_alloc(rounded);
    return ptr;
  }
  Pool& pool = pools(active_).for_size(rounded);
  Block* block = take_free_block(pool, rounded);
  if (block) {
    ++stats_.cache_hits;
  } else {
    block = new_segment(rounded);
    block->pool = active_;
  }
  const size_t remainder = block->size - rounded;
  if (remainder >= (block->small ? kMinSmallRemainder : kMinLargeRemainder)) {
    auto* rest = new Block{block->ptr + rounded, remainder};
    rest->small = block->small;
    rest->pool = block->pool;
    rest->segment = block->segment;
    rest->prev = block;
    rest->next = block->next;
    if (block->next) block->next->prev = rest;
    block->next = rest;
    block->size = rounded;
    pool.insert(rest);
  }
  block->free = false;
  live_[block->ptr] = block;
  account_alloc(block->size);
  return block->ptr;
}

void CachingAllocator::free(void* ptr) {
  if (!ptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!caching_) {
    auto it = uncached_.find(ptr);
    TINT_CHECK(it != uncached_.end(), raw_.name, " allocator: free of an unknown pointer");
    stats_.allocated_bytes -= it->second;
    stats_.reserved_bytes -= it->second;
    raw_.release(ptr);
    uncached_.erase(it);
    return;
  }
  auto it = live_.find(ptr);
  TINT_CHECK(it != live_.end(), raw_.name, " allocator: free of an unknown pointer");
  Block* block = it->second;
  live_.erase(it);
  stats_.allocated_bytes -= block->size;
  block->free = true;
  Pool& pool = pools(block->pool).of(*block);
  // Merge with free neighbours (they are in the pool; take them out first).
  if (block->prev && block->prev->free) {
    Block* prev = block->prev;
    pool.erase(prev);
    prev->size += block->size;
    prev->next = block->next;
    if (block->next) block->next->prev = prev;
    delete block;
    block = prev;
  }
  if (block->next && block->next->free) {
    Block* next = block->next;
    pool.erase(next);
    block->size += next->size;
    block->next = next->next;
    if (next->next) next->next->prev = block;
    delete next;
  }
  pool.insert(block);
}

void CachingAllocator::release_free_segments() {  // the default pool's only
  for (Pool* pool : {&default_.small, &default_.large}) {
    std::vector<Block*> whole;
    for (Block* b : *pool)
      if (!b->prev && !b->next) whole.push_back(b);
    for (Block* b : whole) {
      pool->erase(b);
      stats_.reserved_bytes -= b->size;
      raw_.release(b->ptr);
      delete b;
    }
  }
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_free_segments();
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.peak_allocated_bytes = stats_.allocated_bytes;
  stats_.peak_reserved_bytes = stats_.reserved_bytes;
}

}  // namespace tint
