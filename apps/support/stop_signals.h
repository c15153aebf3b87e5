// SIGINT (Ctrl-C) and SIGTERM (what kill, job schedulers and container runtimes send) turned
// into a polite stop request for the trainers: the first signal asks the run to stop after
// the current step (the trainer saves its checkpoint and the app exits with 128 + the
// signal's number: 130 for SIGINT, 143 for SIGTERM); a second one ends the process at once,
// without saving (the last complete checkpoint stays, saves being atomic).
#pragma once

namespace tint::apps {

// Installs the handlers for SIGINT and SIGTERM.
void install_stop_signals();
// True once a stop signal has arrived.
bool stop_requested();
// The first stop signal's number, or 0.
int stop_signal();
// The exit status after a stop: 128 + the signal's number.
int stop_exit_code();
// "Ctrl-C (SIGINT)" or "SIGTERM" for the first stop signal.
const char* stop_signal_description();

}  // namespace tint::apps
