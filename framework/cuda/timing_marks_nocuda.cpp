// Timing marks in a build without CUDA: there is no stream to mark.
#include "framework/core/error.h"
#include "framework/cuda/timing_marks.h"

namespace tint::cuda {

int64_t record_timing_mark(int) {
  TINT_FAIL("cuda timing marks: this build of tint has no CUDA backend");
}
double seconds_between_marks(int64_t, int64_t) {
  TINT_FAIL("cuda timing marks: this build of tint has no CUDA backend");
}
void release_timing_marks() {}

}  // namespace tint::cuda
