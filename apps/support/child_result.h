// Runs a benchmark's child process (a shell command), its stderr passing through, optionally
// under coreutils' timeout: line by line (bench_ops and its PyTorch twin), or reading its one
// "result {json}" line (bench_train's tint workers and scripts/bench_pytorch.py).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace tint::apps {

// The child ran past its time limit (timeout's exit code 124, or 137 once killed).
class ChildTimedOut : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs cmd, handing each line of its stdout (with its newline) to on_line. timeout_s > 0 runs
// it under `timeout --kill-after=5`. Throws ChildTimedOut, or std::runtime_error naming `what`
// when it cannot start or exits non-zero (3 and 4: the PyTorch twins' "no torch" / "no CUDA
// in torch", said in words).
void run_child_lines(const std::string& cmd, const std::string& what, double timeout_s,
                     const std::function<void(const std::string&)>& on_line);

// The JSON of cmd's "result " line (run as run_child_lines does). timeout_s > 0 runs it under `timeout --kill-after=5`.
// Throws ChildTimedOut, or std::runtime_error naming `what` when it cannot start, exits
// non-zero (3 and 4: bench_pytorch.py's "no torch" / "no CUDA in torch", said in words) or
// prints no result line.
nlohmann::json run_child(const std::string& cmd, const std::string& what, double timeout_s = 0);

// s in single quotes for /bin/sh.
std::string shell_quote(const std::string& s);

}  // namespace tint::apps
