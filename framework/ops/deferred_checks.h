// Checks of device values that an op normally reads back on the host at once (a loss's count
// of NaN logits), deferred while a DeferredChecks registry is active on the thread
// (DeferredChecks::Scope): the op then leaves its counters on the device, registers them
// with a verifier, and goes on without waiting for the device. A CUDA graph captures such
// ops (a capture cannot wait for the host); its owner (framework/optim/graphed_step.h) calls
// verify() after each replay, which reads every registered counter tensor (waiting for the
// device) and throws the op's own error where a check fails. Scopes nest (the innermost
// registry is active) and belong to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "framework/tensor/tensor.h"

namespace tint {

class DeferredChecks {
 public:
  // Throws the op's error when the counters (as int64 values, in order) show a failure.
  using Verifier = std::function<void(const std::vector<int64_t>& counters)>;

  // Makes a registry the calling thread's active one until the scope ends.
  class Scope {
   public:
    explicit Scope(DeferredChecks& checks);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    DeferredChecks* outer_;
  };

  DeferredChecks() = default;
  DeferredChecks(const DeferredChecks&) = delete;
  DeferredChecks& operator=(const DeferredChecks&) = delete;

  // The calling thread's active registry, or nullptr (ops then check at once).
  static DeferredChecks* active();

  // counters: an int64 tensor the op's kernels write (kept alive by the registry).
  void add(const Tensor& counters, Verifier verify);
  // Reads every registered tensor (in registration order) and runs its verifier.
  void verify() const;
  size_t size() const { return checks_.size(); }

 private:
  struct Check {
    Tensor counters;
    Verifier verify;
  };
  std::vector<Check> checks_;
};

}  // namespace tint
