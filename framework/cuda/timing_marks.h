// Timing marks: CUDA events recorded on a device's stream between the ops queued there, read
// back later, so a profile can time each op's GPU work without waiting for the GPU after
// each one (framework/ops/op_profile.cpp). Events come from a per-device pool and return to
// it with release_timing_marks(). Without CUDA, recording a mark is an error.
#pragma once

#include <cstdint>

namespace tint::cuda {

// Records a mark at the current end of the device's stream (context(device).stream()) and
// returns its id. Not for a stream being captured into a CUDA graph.
int64_t record_timing_mark(int device);
// Seconds of GPU time from mark `start` to mark `end` (of one device, `end` recorded after
// `start`); waits until `end` has been reached.
double seconds_between_marks(int64_t start, int64_t end);
// Every mark recorded so far is forgotten and its event reused by later marks.
void release_timing_marks();

}  // namespace tint::cuda
