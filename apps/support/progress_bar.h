// A terminal progress bar for long work: done/total, rate (unit/s), elapsed, ETA and named
// values (loss, ...). On a terminal it redraws one line; otherwise (logs, CI) it prints a
// plain line at most every few seconds, so logs stay short.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tint::apps {

class ProgressBar {
 public:
  ProgressBar(int64_t total, std::string label, std::string unit = "it");
  // Sets the amount done (in units) and the values shown after the rate.
  void update(int64_t done, const std::vector<std::pair<std::string, double>>& values = {});
  void finish();  // draws the final state and ends the line

 private:
  void draw(bool final);
  int64_t total_;
  int64_t done_ = 0;
  std::string label_, unit_;
  std::vector<std::pair<std::string, double>> values_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool tty_;
  bool finished_ = false;
};

// "1:05:03" / "05:03" from seconds.
std::string format_duration(double seconds);

}  // namespace tint::apps
