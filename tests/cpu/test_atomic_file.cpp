// framework/io/atomic_file.h: the temporaries that a killed writer leaves behind are removed
// (those of processes that are gone, for the files asked about), and nothing else is: not a
// running process's temporary, not a user's own "*.tmp.N" file, not a name that only looks
// like one.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "framework/io/atomic_file.h"
#include "temp_dir.h"

using namespace tint;
namespace fs = std::filesystem;

namespace {

// The pid of a child that has exited and been reaped: a process that no longer runs.
long dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void touch(const fs::path& path) { std::ofstream(path) << "partial"; }

}  // namespace

TEST_CASE("stale temporaries of killed writers are removed, nothing else is", "[io]") {
  tint::testing::TempDir dir;
  const long gone = dead_pid();
  const fs::path stale = atomic_temporary_name(dir.file("last.safetensors"), gone);
  const fs::path stale_best = atomic_temporary_name(dir.file("best.safetensors"), gone);
  const fs::path running = atomic_temporary_name(dir.file("last.safetensors"), ::getpid());
  const fs::path parent_running = atomic_temporary_name(dir.file("last.safetensors"), ::getppid());
  const fs::path users = dir.path / ("notes.txt.tmp." + std::to_string(gone));
  const fs::path not_a_pid = dir.path / "last.safetensors.tmp.abc";
  for (const fs::path& p : {stale, stale_best, running, parent_running, users, not_a_pid})
    touch(p);
  CHECK(stale.filename().string() == "last.safetensors.tmp." + std::to_string(gone));

  const auto ours = [](const std::string& name) {
    return name == "last.safetensors" || name == "best.safetensors";
  };
  const std::vector<fs::path> removed = remove_stale_temporaries(dir.path, ours);
  CHECK(removed == std::vector<fs::path>{stale_best, stale});
  CHECK_FALSE(fs::exists(stale));
  CHECK_FALSE(fs::exists(stale_best));
  CHECK(fs::exists(running));         // this process is writing it
  CHECK(fs::exists(parent_running));  // a running process
  CHECK(fs::exists(users));           // not a temporary of a file asked about
  CHECK(fs::exists(not_a_pid));       // not a temporary at all
  CHECK(remove_stale_temporaries(dir.path, ours).empty());
  CHECK(remove_stale_temporaries(dir.path / "no_such_folder", ours).empty());
}

TEST_CASE("an atomic write after a killed one replaces the file and keeps its temp name free",
          "[io]") {
  tint::testing::TempDir dir;
  const std::string path = dir.file("summary.json");
  write_file_atomically(path, "old");
  // The temporary that a process killed mid-write left, under this process's own pid (pids
  // are reused): the next write goes through it as if it were not there.
  touch(atomic_temporary_name(path, ::getpid()));
  write_file_atomically(path, "new");
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  CHECK(text == "new");
  CHECK_FALSE(fs::exists(atomic_temporary_name(path, ::getpid())));
}
