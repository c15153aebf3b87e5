// The stop-signal handlers (stop_signals.h): async-signal-safe, they only record the signal
// or, the second time, end the process.
#include "stop_signals.h"

#include <csignal>
#include <cstdlib>

namespace tint::apps {

namespace {

volatile std::sig_atomic_t first_signal = 0;

void on_stop_signal(int signal_number) {
  if (first_signal != 0) std::_Exit(128 + signal_number);
  first_signal = signal_number;
}

}  // namespace

void install_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes in progress go on
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return first_signal != 0; }

int stop_signal() { return first_signal; }

int stop_exit_code() { return 128 + first_signal; }

const char* stop_signal_description() {
  return first_signal == SIGTERM ? "SIGTERM" : "Ctrl-C (SIGINT)";
}

}  // namespace tint::apps
