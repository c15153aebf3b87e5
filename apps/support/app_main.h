// What every app's main does around its work: runs it, and turns an exception into one line
// "<app>: <message>" on stderr and exit code 1. The "[file:line]" that tint::Error carries
// for developers is dropped unless TINT_DEBUG=1.
#pragma once

#include <functional>
#include <string>

namespace tint::apps {

int run_app(const char* app_name, const std::function<int()>& body);
// The message of an error without tint's "[file:line]" suffix.
std::string user_message(const std::string& what);

}  // namespace tint::apps
