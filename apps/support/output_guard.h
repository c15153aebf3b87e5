// What keeps an app's outputs from destroying what a user made: an output folder inside the
// folder of inputs it reads (the next run would read the outputs as inputs), an output file
// that is one of the inputs (by any name: symlinks and hard links included), and a run folder
// that already holds an earlier run (replaced only when asked: --overwrite; continued only
// when asked: --resume; a default folder name that is taken gives way to a fresh one).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tint::apps {

// True when path is folder or lies below it, after resolving symlinks and "..": a path that
// does not exist yet is resolved as far as it exists (std::filesystem::weakly_canonical).
bool path_is_within(const std::filesystem::path& path, const std::filesystem::path& folder);

// tint::Error unless the output folder out lies outside the input folder: "--out runs is
// inside --data photos: ...". out_flag and input_flag name them in the message.
void check_output_outside_input(const std::filesystem::path& out, const char* out_flag,
                                const std::filesystem::path& input, const char* input_flag);

// tint::Error when the output file out (when it exists) is one of inputs: the same file
// by another name too (std::filesystem::equivalent: symlinks and hard links).
void check_output_not_an_input(const std::filesystem::path& out, const char* out_flag,
                               const std::vector<std::filesystem::path>& inputs);

// The files a run writes into its folder, by name (e.g. "metrics.csv", "grid_epoch*.png").
// A pattern may hold one '*' standing for any run of characters.
struct RunFileNames {
  std::vector<std::string> patterns;
  bool matches(const std::string& filename) const;
};

// The files of an earlier run in folder (the regular files and links whose names match),
// sorted; none when the folder does not exist.
std::vector<std::filesystem::path> earlier_run_files(const std::filesystem::path& folder,
                                                     const RunFileNames& names);

// Before a new run (not a resumed one) writes into out: when out holds an earlier run's
// files, a tint::Error naming the folder and the ways on (continue with --resume, where the
// app can resume, or replace with --overwrite), unless overwrite; with overwrite the earlier
// files are removed (except those in keep, e.g. the new run's own --prior input) so the
// folder never mixes two runs. Returns the files removed.
std::vector<std::filesystem::path> claim_run_folder(
    const std::filesystem::path& out, const RunFileNames& names, bool overwrite,
    bool can_resume, const std::vector<std::filesystem::path>& keep = {});

// The default output folder made fresh: base when it holds no earlier run, else the first
// of base-2, base-3, ... that holds none.
std::filesystem::path fresh_run_folder(const std::filesystem::path& base,
                                       const RunFileNames& names);

}  // namespace tint::apps
