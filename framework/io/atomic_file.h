// Writing a file so that its path never holds a half-written file: the bytes go to a
// temporary file beside it ("<path>.tmp.<pid>"), which is flushed and then renamed onto the
// path. And the clean-up of the temporaries that a killed process (SIGKILL, a second Ctrl-C
// during a save, a power cut) leaves behind: apps call it on their output folders at start.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tint {

// Writes bytes to path through a temp file and rename (shared by every writer in tint).
void write_file_atomically(const std::string& path, const std::string& bytes);

// The temporary that write_file_atomically uses for path in process pid.
std::string atomic_temporary_name(const std::string& path, long pid);

// Removes the temporaries ("<name>.tmp.<pid>") in folder (not below it) whose writing process
// no longer runs on this machine and whose target's file name <name> passes is_target (so a
// user's own "notes.tmp.12" is left alone), and returns their paths, sorted. Temporaries of
// running processes (this one included) are kept. A folder that does not exist has none.
std::vector<std::filesystem::path> remove_stale_temporaries(
    const std::filesystem::path& folder,
    const std::function<bool(const std::string& target_name)>& is_target);

}  // namespace tint
