// What every app's main does around its work: runs it, and turns an exception into one line
// "<app>: <message>" on stderr and exit code 1. The "[file:line]" that tint::Error carries
// for developers is dropped unless TINT_DEBUG=1.
#pragma once

#include <functional>
#include <string>

#include "framework/core/device.h"

namespace tint::apps {

// It first asks glibc to keep freed memory for reuse (mallopt: blocks up to 1 GiB from the
// heap rather than mmap, no trimming below 2 GiB): tint's CPU tensors are freed and
// reallocated batch after batch, and each fresh mapping costs the kernel's page zeroing
// again (evaluate on 240 176x176 images: 1.4-2.0 s -> 1.0 s on the 2-core machine).
int run_app(const char* app_name, const std::function<int()>& body);
// The device a --device flag names: "auto" (a CUDA device when one is present, else the
// cpu), "cpu", "cuda" or "cuda:N"; a CUDA device that this build or machine lacks is a
// tint::Error saying which.
Device pick_device(const std::string& name);

// OpenMP's default wait policy lets idle threads spin between parallel regions. On a CPU
// shared with other work (the 2-core machines the CPU presets are sized for) the spinning
// threads take the cores from the ones with work: train_colorizer measured 1.6x slower with
// one competing busy process, up to 8x with more, and only ~5% faster on an idle machine.
// libgomp reads OMP_WAIT_POLICY once at start-up, so when the user has not set it this sets
// it to passive and runs the program again with argv (once: the variable is then set); it
// returns only when the variable was set already or the re-run failed. Call it first in main.
void prefer_passive_openmp_waiting(char** argv);

// The message of an error without tint's "[file:line]" suffix.
std::string user_message(const std::string& what);

}  // namespace tint::apps
