#pragma once
// RateMeter: events per second over a sliding window of the last 10 s, in one-second buckets (so a
// burst fades out of the figure 10 s later instead of averaging over the whole run). Times are
// steady-clock milliseconds supplied by the caller, which keeps it testable. Not thread-safe: one
// owner thread (the loop thread, for status::Registry).

#include <array>
#include <cstddef>
#include <cstdint>

namespace weft::status {

class RateMeter {
 public:
  static constexpr int kWindowSeconds = 10;

  // `start_ms`: when counting began; the rate of a meter younger than the window is taken over its
  // age (at least one second, so the first events do not read as a huge rate).
  explicit RateMeter(int64_t start_ms = 0) : start_ms_(start_ms) { seconds_.fill(-1); }

  void Add(uint64_t n, int64_t now_ms) {
    int64_t second = now_ms / 1000;
    size_t slot = static_cast<size_t>(second % kSlots);
    if (seconds_[slot] != second) {
      seconds_[slot] = second;
      counts_[slot] = 0;
    }
    counts_[slot] += n;
  }

  // Events per second over the window ending at now_ms: the current, partial second plus the nine
  // before it.
  double PerSecond(int64_t now_ms) const {
    int64_t current = now_ms / 1000;
    uint64_t sum = 0;
    for (size_t i = 0; i < kSlots; ++i) {
      if (seconds_[i] > current - kWindowSeconds && seconds_[i] <= current) sum += counts_[i];
    }
    double span = (kWindowSeconds - 1) + static_cast<double>(now_ms % 1000) / 1000.0;
    double age = static_cast<double>(now_ms - start_ms_) / 1000.0;
    if (age < span) span = age;
    if (span < 1.0) span = 1.0;
    return static_cast<double>(sum) / span;
  }

 private:
  static constexpr size_t kSlots = kWindowSeconds + 1;
  int64_t start_ms_;
  std::array<int64_t, kSlots> seconds_{};
  std::array<uint64_t, kSlots> counts_{};
};

}  // namespace weft::status
