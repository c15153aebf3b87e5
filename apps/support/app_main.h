// What every app's main does around its work: runs it, and turns an exception into one line
// "<app>: <message>" on stderr and exit code 1. The "[file:line]" that tint::Error carries
// for developers is dropped unless TINT_DEBUG=1.
#pragma once

#include <functional>
#include <string>

#include "framework/core/device.h"

namespace tint::apps {

int run_app(const char* app_name, const std::function<int()>& body);
// The device a --device flag names: "auto" (a CUDA device when one is present, else the
// cpu), "cpu", "cuda" or "cuda:N"; a CUDA device that this build or machine lacks is a
// tint::Error saying which.
Device pick_device(const std::string& name);

// The message of an error without tint's "[file:line]" suffix.
std::string user_message(const std::string& what);

}  // namespace tint::apps
