// Running the apps' binaries from the Catch2 tests: where they are (built next to the tests:
// build/tests -> build/apps), one run's exit status, stdout and stderr, and a run signalled
// once it has printed a given line.
#pragma once

#include <fcntl.h>
#include <spawn.h>
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

// Runs a shell command with stdout discarded and stderr in err_file; returns its exit code
// (-1 when it did not exit normally) and the stderr text in *err.
inline int run_command(const std::string& command, const std::filesystem::path& err_file,
                       std::string* err) {
  const int status = std::system((command + " >/dev/null 2>" + err_file.string()).c_str());
  *err = read_text(err_file);
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
  // The old output goes first, so a marker from an earlier run cannot count. posix_spawn
  // starts the child with SIGINT and SIGTERM at their defaults and no signal blocked: a
  // fork of this multi-threaded test binary could deadlock in Catch's signal handler or in
  // malloc if a signal came before the exec.
  std::ofstream(out_file, std::ios::trunc).close();
  const std::string line = "exec " + command;
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, out_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, err_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                        const_cast<char*>(line.c_str()), nullptr};
  pid_t child = -1;
  const int spawned = posix_spawn(&child, "/bin/sh", &files, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) return -1;
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
  *err = read_text(err_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The lines of text that are not empty.
inline int line_count(const std::string& text) {
  int lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines += !line.empty();
  return lines;
}

}  // namespace tint::testing
