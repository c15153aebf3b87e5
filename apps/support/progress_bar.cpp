// Progress bar drawing.
#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace tint::apps {

ProgressBar::ProgressBar(int64_t total, std::string label, std::string unit)
    : total_(total), label_(std::move(label)), unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_),
      tty_(isatty(fileno(stderr)) != 0) {}

std::string format_duration(double seconds) {
  const int64_t s = seconds < 0 ? 0 : static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  return buf;
}

void ProgressBar::update(int64_t done, const std::vector<std::pair<std::string, double>>& values) {
  done_ = done;
  values_ = values;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since >= (tty_ ? 0.1 : 5.0)) draw(false);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  draw(true);
}

void ProgressBar::draw(bool final) {
  const auto now = std::chrono::steady_clock::now();
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  const double eta = rate > 0 ? (total_ - done_) / rate : 0.0;
  const int width = 24;
  const double frac = total_ > 0 ? static_cast<double>(done_) / total_ : 1.0;
  const int filled = static_cast<int>(frac * width + 0.5);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  std::string line = label_ + " [" + bar + "] " + std::to_string(done_) + "/" +
                     std::to_string(total_);
  char buf[96];
  std::snprintf(buf, sizeof buf, " %.1f %s/s elapsed %s ETA %s", rate, unit_.c_str(),
                format_duration(elapsed).c_str(), format_duration(eta).c_str());
  line += buf;
  for (const auto& [name, value] : values_) {
    std::snprintf(buf, sizeof buf, " %s %.4g", name.c_str(), value);
    line += buf;
  }
  if (tty_) std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
  else std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace tint::apps
