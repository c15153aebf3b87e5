// Files a user names are read only when they are regular files (framework/io/input_file.h):
// a FIFO is refused without blocking, a device without reading it, a folder, a missing path
// and a broken link each get one sentence naming the path, a file over the caller's limit is
// refused before it is read, and a file whose size is not known ahead (under /proc) is read
// to its end. Every reader of user files (safetensors, checkpoints, priors, bin tables) goes
// through it.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "framework/io/checkpoint.h"
#include "framework/io/input_file.h"
#include "framework/io/safetensors.h"
#include "kernels/ab_bins.h"
#include "kernels/prior.h"
#include "temp_dir.h"

using namespace tint;
using Catch::Matchers::Contains;
using tint::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// A FIFO that would block a reader forever: if anything opened it for reading the test
// would hang, so an alarm ends the process instead (a failure, not a hang).
struct Watchdog {
  Watchdog() { ::alarm(20); }
  ~Watchdog() { ::alarm(0); }
};

}  // namespace

TEST_CASE("only regular files are read, each refusal one sentence naming the path",
          "[io][hostile]") {
  TempDir dir;
  const Watchdog watchdog;
  const std::string text = dir.write("a.txt", "hello");
  CHECK(read_regular_file(text, "note") == "hello");
  fs::create_symlink(text, dir.path / "link.txt");
  CHECK(read_regular_file(dir.file("link.txt"), "note") == "hello");  // a link to a file is fine
  CHECK_NOTHROW(check_regular_file(text, "note"));

  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  CHECK_THROWS_WITH(read_regular_file(fifo, "checkpoint"),
                    Contains("checkpoint " + fifo + " is not a regular file (a FIFO)"));
  CHECK_THROWS_WITH(check_regular_file(fifo, "--prior"),
                    Contains("--prior " + fifo + " is not a regular file (a FIFO)"));
  CHECK_THROWS_WITH(read_regular_file("/dev/zero", ""),
                    Contains("/dev/zero is not a regular file (a character device)"));
  CHECK_THROWS_WITH(read_regular_file(dir.path.string(), "checkpoint"),
                    Contains(dir.path.string() + " is a folder, not a file"));
  CHECK_THROWS_WITH(read_regular_file(dir.file("missing"), "checkpoint"),
                    Contains("checkpoint " + dir.file("missing") + " does not exist"));
  fs::create_symlink(dir.file("nowhere"), dir.path / "dangling");
  CHECK_THROWS_WITH(read_regular_file(dir.file("dangling"), ""),
                    Contains("is a symbolic link to something that does not exist"));

  // The size limit holds before reading (a sparse file: nothing is written to disk).
  std::ofstream(dir.file("big.bin")) << "x";
  fs::resize_file(dir.file("big.bin"), 5'000'000'000ull);
  std::string bytes;
  CHECK(try_read_regular_file(dir.file("big.bin"), 1 << 20, &bytes) ==
        "is 5000000000 bytes, over the limit of 1048576 bytes");
  CHECK(bytes.empty());
  CHECK(try_read_regular_file(text, 5, &bytes).empty());
  CHECK(try_read_regular_file(text, 4, &bytes) == "is 5 bytes, over the limit of 4 bytes");
  // A file whose size is not known ahead is read to its end, within the limit.
  CHECK(try_read_regular_file("/proc/self/status", 1 << 20, &bytes).empty());
  CHECK_THAT(bytes, Contains("Name:"));
  CHECK_THAT(try_read_regular_file("/proc/self/status", 8, &bytes),
             Contains("grew past the limit"));
}

TEST_CASE("the readers of user files refuse FIFOs and devices", "[io][hostile]") {
  TempDir dir;
  const Watchdog watchdog;
  const std::string fifo = dir.file("pipe.safetensors");
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  CHECK_THROWS_WITH(load_safetensors(fifo), Contains(fifo + " is not a regular file (a FIFO)"));
  CHECK_THROWS_WITH(read_checkpoint(fifo), Contains("is not a regular file (a FIFO)"));
  CHECK_THROWS_WITH(color::load_prior(fifo), Contains("is not a regular file (a FIFO)"));
  CHECK_THROWS_WITH(color::AbBins::load(fifo),
                    Contains("the bin-centre file " + fifo + " is not a regular file (a FIFO)"));
  CHECK_THROWS_WITH(load_safetensors("/dev/zero"), Contains("(a character device)"));
  // A bin-centre file is a few kilobytes: a huge one is refused before it is read.
  std::ofstream(dir.file("bins.txt")) << "0 0\n";
  fs::resize_file(dir.file("bins.txt"), 2'000'000);
  CHECK_THROWS_WITH(color::AbBins::load(dir.file("bins.txt")),
                    Contains("is 2000000 bytes, over the limit of 1048576 bytes"));
}
