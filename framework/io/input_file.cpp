// Regular files only, checked before and after opening, read whole within a size limit
// (input_file.h).
#include "framework/io/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>

#include "framework/core/error.h"

namespace tint {

namespace {

// What a stat result names, for "is not a regular file (...)".
const char* kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

// The problem with a stat result for reading, or "".
std::string mode_problem(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "is a folder, not a file";
  if (!S_ISREG(st.st_mode))
    return std::string("is not a regular file (") + kind_of(st.st_mode) + ")";
  return "";
}

std::string size_problem(uint64_t size, uint64_t max_bytes) {
  if (size <= max_bytes) return "";
  return "is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(max_bytes) +
         " bytes";
}

std::string errno_problem(const char* what, int err) {
  return std::string(what) + " (" + std::strerror(err) + ")";
}

// Why path cannot be read, from stat alone (nothing is opened), or "".
std::string stat_problem(const std::string& path, struct stat* st) {
  if (::stat(path.c_str(), st) == 0) return mode_problem(*st);
  const int err = errno;
  if (err == ENOENT || err == ENOTDIR) {
    struct stat link {};
    if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode))
      return "is a symbolic link to something that does not exist";
    return "does not exist";
  }
  return errno_problem("cannot be read", err);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string try_read_regular_file(const std::string& path, uint64_t max_bytes,
                                  std::string* bytes) {
  struct stat st {};
  if (std::string problem = stat_problem(path, &st); !problem.empty()) return problem;
  if (std::string problem = size_problem(static_cast<uint64_t>(st.st_size), max_bytes);
      !problem.empty())
    return problem;
  // O_NONBLOCK: should the path have become a FIFO since the stat, opening it returns at once
  // instead of waiting for a writer, and the fstat below refuses it.
  Fd in;
  in.fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (in.fd < 0) return errno_problem("cannot be opened", errno);
  if (::fstat(in.fd, &st) != 0) return errno_problem("cannot be read", errno);
  if (std::string problem = mode_problem(st); !problem.empty()) return problem;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (std::string problem = size_problem(size, max_bytes); !problem.empty()) return problem;
  if (!bytes) return "";
  const int flags = ::fcntl(in.fd, F_GETFL);
  if (flags >= 0) ::fcntl(in.fd, F_SETFL, flags & ~O_NONBLOCK);
  std::string data;
  try {
    data.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    return "is " + std::to_string(size) + " bytes, more than this machine can hold in memory";
  } catch (const std::length_error&) {
    return "is " + std::to_string(size) + " bytes, more than this machine can hold in memory";
  }
  uint64_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::read(in.fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_problem("cannot be read", errno);
    if (n == 0) break;  // it shrank since the fstat
    done += static_cast<uint64_t>(n);
  }
  data.resize(static_cast<size_t>(done));
  // On to the end: a file may have grown since the fstat (the limit still holds), and some
  // (under /proc) report size 0 but have contents.
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(in.fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_problem("cannot be read", errno);
    if (n == 0) break;
    if (data.size() + static_cast<uint64_t>(n) > max_bytes)
      return "grew past the limit of " + std::to_string(max_bytes) + " bytes while being read";
    try {
      data.append(chunk, static_cast<size_t>(n));
    } catch (const std::bad_alloc&) {
      return "grew past what this machine can hold in memory while being read";
    }
  }
  *bytes = std::move(data);
  return "";
}

std::string read_regular_file(const std::string& path, const std::string& what,
                              uint64_t max_bytes) {
  std::string bytes;
  const std::string problem = try_read_regular_file(path, max_bytes, &bytes);
  TINT_CHECK(problem.empty(), what, what.empty() ? "" : " ", path, " ", problem);
  return bytes;
}

void check_regular_file(const std::string& path, const std::string& what) {
  struct stat st {};
  const std::string problem = stat_problem(path, &st);
  TINT_CHECK(problem.empty(), what, what.empty() ? "" : " ", path, " ", problem);
}

}  // namespace tint
