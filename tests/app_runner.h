// Running the built apps from a test: the binary next to the test binary (build/tests ->
// build/apps), a shell command's exit code with its stderr, and a command signalled once it
// has printed a given line.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace tint::testing {

// build/apps/<name> for a test binary in build/tests; empty when /proc/self/exe is unreadable.
inline std::filesystem::path app_binary(const std::string& name) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path().parent_path() / "apps" / name;
}

// Runs a shell command with stdout discarded and stderr in err_file; returns its exit code
// (-1 when it did not exit normally) and the stderr text in *err.
inline int run_command(const std::string& command, const std::filesystem::path& err_file,
                       std::string* err) {
  const int status = std::system((command + " >/dev/null 2>" + err_file.string()).c_str());
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  *err = ss.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Starts command (run by /bin/sh with exec, so the signal reaches the program itself) with
// stdout into out_file and stderr into err_file, waits until out_file holds marker (at most
// wait_seconds; not at all once the command has ended), sends it signal_number, and returns
// its exit code (-1 when it did not exit normally), its stderr in *err. Waiting for what the
// command prints, not for a fixed time, keeps the test independent of the machine's speed.
inline int run_and_signal_after(const std::string& command, const std::filesystem::path& out_file,
                                const std::string& marker, int signal_number, int wait_seconds,
                                const std::filesystem::path& err_file, std::string* err) {
  const pid_t child = ::fork();
  if (child == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int errors = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || errors < 0) ::_exit(127);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(errors, STDERR_FILENO);
    const std::string line = "exec " + command;
    ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  bool ended = false;
  for (int i = 0; i < wait_seconds * 10 && !ended; ++i) {
    ended = ::waitpid(child, &status, WNOHANG) == child;
    std::ifstream printed(out_file);
    const std::string text((std::istreambuf_iterator<char>(printed)), {});
    if (ended || text.find(marker) != std::string::npos) break;
    ::usleep(100000);
  }
  if (!ended) {
    ::kill(child, signal_number);
    ::waitpid(child, &status, 0);
  }
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  *err = ss.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace tint::testing
