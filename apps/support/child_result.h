// Runs a benchmark's child process (a shell command) and reads its one "result {json}" line
// from stdout, its stderr passing through; optionally under coreutils' timeout. Used by
// bench_train for its tint workers and the PyTorch twin (scripts/bench_pytorch.py).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace tint::apps {

// The child ran past its time limit (timeout's exit code 124, or 137 once killed).
class ChildTimedOut : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The JSON of cmd's "result " line. timeout_s > 0 runs it under `timeout --kill-after=5`.
// Throws ChildTimedOut, or std::runtime_error naming `what` when it cannot start, exits
// non-zero (3 and 4: bench_pytorch.py's "no torch" / "no CUDA in torch", said in words) or
// prints no result line.
nlohmann::json run_child(const std::string& cmd, const std::string& what, double timeout_s = 0);

// s in single quotes for /bin/sh.
std::string shell_quote(const std::string& s);

}  // namespace tint::apps
