// The thread's active DeferredChecks registry and verification (deferred_checks.h).
#include "framework/ops/deferred_checks.h"

namespace tint {

namespace {
thread_local DeferredChecks* innermost = nullptr;
}  // namespace

DeferredChecks::Scope::Scope(DeferredChecks& checks) : outer_(innermost) { innermost = &checks; }

// Scopes end in reverse order of their start (RAII on one thread).
DeferredChecks::Scope::~Scope() { innermost = outer_; }

DeferredChecks* DeferredChecks::active() { return innermost; }

void DeferredChecks::add(const Tensor& counters, Verifier verify) {
  TINT_CHECK(counters.defined() && counters.dtype() == DType::Int64,
             "DeferredChecks: counters must be an int64 tensor, got ", describe(counters));
  checks_.push_back({counters, std::move(verify)});
}

void DeferredChecks::verify() const {
  for (const Check& c : checks_) c.verify(c.counters.to_vector<int64_t>());
}

}  // namespace tint
