// Atomic file writes (temp file, fsync, rename, fsync of the folder) and the removal of
// temporaries left by killed writers (atomic_file.h).
#include "framework/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "framework/core/error.h"

namespace tint {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTemporaryMark = ".tmp.";

// A temporary's file name ("last.safetensors.tmp.1234") split into the target's file name
// ("last.safetensors") and the writer's pid (1234); none for another name.
struct TemporaryName {
  std::string target;
  long pid = 0;
};
std::optional<TemporaryName> parse_temporary_name(const std::string& filename) {
  const size_t mark = filename.rfind(kTemporaryMark);
  if (mark == std::string::npos || mark == 0) return std::nullopt;
  const std::string digits = filename.substr(mark + std::strlen(kTemporaryMark));
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return TemporaryName{filename.substr(0, mark), std::stol(digits)};
}

// True unless the process is known to be gone from this machine (kill(pid, 0) fails with
// ESRCH): a process of another user (EPERM) runs too.
bool process_runs(long pid) {
  if (pid <= 0) return false;
  if (pid == static_cast<long>(::getpid())) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

}  // namespace

std::string atomic_temporary_name(const std::string& path, long pid) {
  return path + kTemporaryMark + std::to_string(pid);
}

std::vector<fs::path> remove_stale_temporaries(
    const fs::path& folder, const std::function<bool(const std::string&)>& is_target) {
  std::vector<fs::path> removed;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::optional<TemporaryName> name = parse_temporary_name(it->path().filename().string());
    std::error_code file_ec;
    if (!name || !is_target(name->target) || process_runs(name->pid) ||
        !it->is_regular_file(file_ec))
      continue;
    if (fs::remove(it->path(), file_ec)) removed.push_back(it->path());
  }
  std::sort(removed.begin(), removed.end());
  return removed;
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  // Same folder as the target, so rename() is atomic (never across file systems); the pid
  // keeps two processes writing the same path from sharing a temp file.
  const std::string tmp = atomic_temporary_name(path, ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  TINT_CHECK(fd >= 0, "cannot write ", path, ": creating the temporary file ", tmp,
             " failed: ", std::strerror(errno));
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    TINT_FAIL("cannot write ", path, ": ", what, " failed: ", reason);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("writing the temporary file");
    }
    done += static_cast<size_t>(n);
  }
  // Flush before the rename: otherwise a crash could leave the new name pointing at an
  // empty file, which is worse than keeping the old one.
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    TINT_FAIL("cannot write ", path, ": closing the temporary file failed: ", reason);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    TINT_FAIL("cannot write ", path, ": renaming the temporary file onto it failed: ", reason);
  }
  // Make the rename itself durable; best effort, since some file systems refuse to open or
  // sync a directory and the data is already safe under one of the two names.
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace tint
