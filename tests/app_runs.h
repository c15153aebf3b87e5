// Running the apps' binaries from the Catch2 tests: where they are (built next to the tests:
// build/tests -> build/apps) and one run's exit status, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tint::testing {

// build/apps/<name>, or an empty path when the test binary's location is unknown.
inline std::filesystem::path app_path(const std::string& name) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path().parent_path() / "apps" / name;
}

struct AppRun {
  int status = -1;  // the exit status; -1 when the process did not exit by itself (a signal)
  std::string out, err;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs "<binary> <args>" through the shell (args quoted by the caller), with its stdout and
// stderr in scratch files inside folder.
inline AppRun run_app_binary(const std::filesystem::path& binary, const std::string& args,
                             const std::filesystem::path& folder) {
  const std::filesystem::path out = folder / "app_stdout.txt", err = folder / "app_stderr.txt";
  const std::string command = "OMP_NUM_THREADS=1 " + binary.string() + " " + args + " >" +
                              out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  AppRun run;
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

// The lines of text that are not empty.
inline int line_count(const std::string& text) {
  int lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines += !line.empty();
  return lines;
}

}  // namespace tint::testing
