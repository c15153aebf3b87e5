// Reading a file a user named (a checkpoint, a colour prior, a bin table, a class map, an
// image): only a regular file is read (a symbolic link to one is fine). The path is checked
// with stat before it is opened, because opening a FIFO for reading blocks until someone
// writes to it and a device such as /dev/zero never ends; it is then opened without blocking
// and checked again on the open descriptor, so a file swapped in between is caught too. A
// file over the caller's size limit is refused before any of it is read.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace tint {

inline constexpr uint64_t kNoSizeLimit = std::numeric_limits<uint64_t>::max();

// Why path cannot be read as a regular file of at most max_bytes bytes, as a phrase that
// follows the path: "does not exist", "is a folder, not a file", "is not a regular file (a
// FIFO)", "cannot be read (Permission denied)", "is 5000000000 bytes, over the limit of
// 1073741824 bytes". Empty when it can (then *bytes, when given, holds its contents).
std::string try_read_regular_file(const std::string& path, uint64_t max_bytes,
                                  std::string* bytes);

// The contents of path; a tint::Error "<what> <path> <why>" (what may be empty) otherwise.
std::string read_regular_file(const std::string& path, const std::string& what,
                              uint64_t max_bytes = kNoSizeLimit);

// A tint::Error "<what> <path> <why>" unless path names a regular file (nothing is opened).
void check_regular_file(const std::string& path, const std::string& what);

}  // namespace tint
