// apps/support/output_guard.h: an output folder inside an input folder is refused (through
// symlinks and ".." too), an output file that is an input by any name (symlink, hard link) is
// refused, a run folder holding an earlier run is refused unless overwrite (which removes
// that run's files and only those), and the default folder name gives way to a fresh one.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "apps/support/output_guard.h"
#include "temp_dir.h"

using namespace tint;
using namespace tint::apps;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& path, const std::string& text = "x") {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const RunFileNames kRun{{"metrics.csv", "last.safetensors", "grid_epoch*.png"}};

}  // namespace

TEST_CASE("an output folder inside the input folder is refused, by any path", "[output_guard]") {
  tint::testing::TempDir dir;
  const fs::path data = dir.path / "photos";
  fs::create_directories(data / "train");
  fs::create_directories(dir.path / "photos_runs");
  fs::create_directory_symlink(data, dir.path / "alias");

  CHECK(path_is_within(data, data));
  CHECK(path_is_within(data / "train", data));
  CHECK(path_is_within(data / "runs" / "not_yet_made", data));
  CHECK(path_is_within(dir.path / "alias" / "run", data));               // through a symlink
  CHECK(path_is_within(dir.path / "photos_runs" / ".." / "photos" / "r", data));
  CHECK_FALSE(path_is_within(dir.path / "photos_runs", data));           // a shared prefix only
  CHECK_FALSE(path_is_within(dir.path, data));
  CHECK_FALSE(path_is_within(dir.path / "photos" / ".." / "run", data));

  CHECK_THROWS_WITH(
      check_output_outside_input(data / "run", "--out", data, "--data"),
      Contains("--out " + (data / "run").string() + " is inside --data " + data.string()) &&
          Contains("choose an output folder outside it"));
  CHECK_NOTHROW(check_output_outside_input(dir.path / "runs", "--out", data, "--data"));
}

TEST_CASE("an output file that is one of the inputs is refused, links included",
          "[output_guard]") {
  tint::testing::TempDir dir;
  const fs::path photo = dir.path / "data" / "a.png";
  touch(photo, "photo");
  fs::create_symlink(photo, dir.path / "link.png");
  fs::create_hard_link(photo, dir.path / "hard.png");
  const std::vector<fs::path> inputs{photo};

  CHECK_THROWS_WITH(check_output_not_an_input(photo, "--plot", inputs),
                    Contains("--plot " + photo.string() + " is the input image") &&
                        !Contains("another name"));
  CHECK_THROWS_WITH(check_output_not_an_input(dir.path / "link.png", "--plot", inputs),
                    Contains("the same file by another name"));
  CHECK_THROWS_WITH(check_output_not_an_input(dir.path / "hard.png", "--out", inputs),
                    Contains("--out") && Contains("the same file by another name"));
  CHECK_NOTHROW(check_output_not_an_input(dir.path / "prior.png", "--plot", inputs));
  touch(dir.path / "other.png");
  CHECK_NOTHROW(check_output_not_an_input(dir.path / "other.png", "--plot", inputs));
  CHECK(read_text(photo) == "photo");
}

TEST_CASE("a run folder with an earlier run is refused unless overwritten", "[output_guard]") {
  tint::testing::TempDir dir;
  const fs::path out = dir.path / "run";
  CHECK(claim_run_folder(out, kRun, false, true).empty());  // no folder yet
  fs::create_directories(out);
  touch(out / "notes.txt");  // the user's own file: not a run
  CHECK(claim_run_folder(out, kRun, false, true).empty());

  touch(out / "metrics.csv", "epoch\n1\n");
  touch(out / "grid_epoch007.png");
  touch(out / "prior_of_mine.safetensors");
  CHECK(earlier_run_files(out, kRun) ==
        std::vector<fs::path>{out / "grid_epoch007.png", out / "metrics.csv"});
  CHECK_THROWS_WITH(claim_run_folder(out, kRun, false, /*can_resume=*/true),
                    Contains("the output folder " + out.string() + " already holds a run") &&
                        Contains("grid_epoch007.png, metrics.csv") &&
                        Contains("continue it with --resume") &&
                        Contains("replace it with --overwrite"));
  CHECK_THROWS_WITH(claim_run_folder(out, kRun, false, /*can_resume=*/false),
                    Contains("replace it with --overwrite") && !Contains("--resume"));
  CHECK(read_text(out / "metrics.csv") == "epoch\n1\n");  // refused: untouched

  // --overwrite removes the earlier run's files, except what the new run reads.
  const std::vector<fs::path> removed =
      claim_run_folder(out, kRun, true, true, {out / "grid_epoch007.png"});
  CHECK(removed == std::vector<fs::path>{out / "metrics.csv"});
  CHECK(fs::exists(out / "grid_epoch007.png"));
  CHECK(fs::exists(out / "notes.txt"));
  CHECK(fs::exists(out / "prior_of_mine.safetensors"));

  touch(dir.path / "a_file");
  CHECK_THROWS_WITH(claim_run_folder(dir.path / "a_file", kRun, true, true),
                    Contains("is a file, not a folder"));
}

TEST_CASE("the default run folder gives way to a fresh name", "[output_guard]") {
  tint::testing::TempDir dir;
  const fs::path base = dir.path / "runs" / "colorizer";
  CHECK(fresh_run_folder(base, kRun) == base);
  touch(base / "last.safetensors");
  CHECK(fresh_run_folder(base, kRun) == dir.path / "runs" / "colorizer-2");
  touch(dir.path / "runs" / "colorizer-2" / "metrics.csv");
  fs::create_directories(dir.path / "runs" / "colorizer-3");  // empty: free
  touch(dir.path / "runs" / "colorizer-3" / "README");         // not a run's file: free
  CHECK(fresh_run_folder(base, kRun) == dir.path / "runs" / "colorizer-3");
}
