#pragma once
// ProgressDisplay: what a snapshot shows while it runs.
//   - stderr is a terminal: a live bar per table being read (rows, rate, ETA), kept below the log
//     lines as the log's footer (core::SetFooter), redrawn at most 5 times a second;
//   - otherwise (journald, a file): a progress line per snapshotting source every 5 s.
// In both modes every finished table gets one info line. Lines go out under the source's
// component (source.mysql:NAME).
//
// Threading: loop thread; Update is cheap to call often, it limits itself.

#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "status/figures.h"

namespace weft::status {

class ProgressDisplay {
 public:
  static constexpr int64_t kRedrawMs = 200;
  static constexpr int64_t kLogEveryMs = 5000;

  explicit ProgressDisplay(bool terminal) : terminal_(terminal) {}
  ~ProgressDisplay() { Clear(); }
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // `now_ms`: steady clock. `force`: draw/log now (a snapshot just finished).
  void Update(const Report& report, int64_t now_ms, bool force = false);
  // Removes the bars (at stop).
  void Clear();

 private:
  bool terminal_;
  int64_t last_draw_ms_ = 0;
  int64_t last_log_ms_ = 0;
  bool log_clock_started_ = false;
  bool drawn_ = false;
  bool footer_ = false;
  std::set<std::pair<std::string, std::string>> finished_logged_;  // (source, table)
};

// "shop.ecom_orders [#########...........]  45% ETA 5s 12000 rows/s, 45000/~100000 rows", cut to
// fewer than `width` characters.
std::string FormatProgressBar(const std::string& source, const TableProgress& table, size_t width);

}  // namespace weft::status
