// run_child and shell_quote; see child_result.h.
#include "child_result.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdio>

namespace tint::apps {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

void run_child_lines(const std::string& cmd, const std::string& what, double timeout_s,
                     const std::function<void(const std::string&)>& on_line) {
  const long limit = timeout_s > 0 ? std::lround(std::ceil(timeout_s)) : 0;
  const std::string full =
      limit > 0 ? "timeout --kill-after=5 " + std::to_string(limit) + " " + cmd : cmd;
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) throw std::runtime_error("could not start " + what);
  std::string line;
  char buf[1 << 16];
  while (std::fgets(buf, sizeof buf, pipe)) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    on_line(line);
    line.clear();
  }
  if (!line.empty()) on_line(line);
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (limit > 0 && (code == 124 || code == 137))
    throw ChildTimedOut(what + " ran past its " + std::to_string(limit) + " s limit");
  if (code == 3)
    throw std::runtime_error(what +
                             ": PyTorch is not importable (install python3-torch, "
                             "pass --python, or run with --no-torch)");
  if (code == 4)
    throw std::runtime_error(what +
                             ": PyTorch cannot use a CUDA device (a CPU-only torch, "
                             "or no GPU); pass --python or run with --no-torch");
  if (code == 127) throw std::runtime_error(what + ": the program was not found");
  if (code != 0)
    throw std::runtime_error(what + " (" + cmd + ") failed with exit code " + std::to_string(code));
}

nlohmann::json run_child(const std::string& cmd, const std::string& what, double timeout_s) {
  nlohmann::json result;
  run_child_lines(cmd, what, timeout_s, [&](const std::string& line) {
    if (line.rfind("result ", 0) == 0) result = nlohmann::json::parse(line.substr(7));
  });
  if (result.is_null()) throw std::runtime_error(what + " printed no result line");
  return result;
}

}  // namespace tint::apps
