#include "status/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "core/log.h"
#include "status/text_report.h"

namespace weft::status {
namespace {

constexpr size_t kBarCells = 20;

size_t TerminalWidth() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

}  // namespace

std::string FormatProgressBar(const std::string& source, const TableProgress& t, size_t width) {
  std::string bar(kBarCells, '.');
  if (t.rows_estimate > 0) {
    uint64_t filled = std::min<uint64_t>(kBarCells, t.rows_done * kBarCells / t.rows_estimate);
    for (uint64_t i = 0; i < filled; ++i) bar[i] = '#';
  }
  std::string line = source + "." + t.table + " [" + bar + "] " + FormatTableProgress(t);
  // A line wider than the terminal wraps, and the footer could not erase itself any more.
  if (line.size() >= width) line.resize(width - 1);
  return line;
}

void ProgressDisplay::Update(const Report& report, int64_t now_ms, bool force) {
  // Finished tables, once each, in both modes.
  for (const auto& s : report.sources) {
    if (!s.has_snapshot) continue;
    for (const auto& t : s.snapshot_tables) {
      if (!t.done || !finished_logged_.insert({s.name, t.table}).second) continue;
      char line[200];
      double secs = static_cast<double>(t.elapsed_ms) / 1000.0;
      std::snprintf(line, sizeof line, "snapshot: table %s done: %llu rows in %.1f s (%.0f rows/s)", t.table.c_str(),
                    static_cast<unsigned long long>(t.rows_done), secs,
                    secs > 0 ? static_cast<double>(t.rows_done) / secs : 0.0);
      core::Logger("source.mysql:" + s.name).Info(line);
    }
  }

  if (terminal_) {
    if (!force && drawn_ && now_ms - last_draw_ms_ < kRedrawMs) return;
    last_draw_ms_ = now_ms;
    drawn_ = true;
    std::string footer;
    size_t width = TerminalWidth();
    for (const auto& s : report.sources) {
      if (s.state != RunState::kSnapshotting) continue;
      for (const auto& t : s.snapshot_tables) {
        if (t.done) continue;
        if (!footer.empty()) footer += '\n';
        footer += FormatProgressBar(s.name, t, width);
      }
    }
    if (footer.empty() && !footer_) return;
    core::SetFooter(footer);
    footer_ = !footer.empty();
    return;
  }

  if (!log_clock_started_) {  // the first line comes kLogEveryMs after the first call, not at once
    log_clock_started_ = true;
    last_log_ms_ = now_ms;
    return;
  }
  if (!force && now_ms - last_log_ms_ < kLogEveryMs) return;
  last_log_ms_ = now_ms;
  for (const auto& s : report.sources) {
    if (s.state != RunState::kSnapshotting || s.snapshot_tables.empty() || s.snapshot_tables.back().done) continue;
    const TableProgress& t = s.snapshot_tables.back();
    core::Logger("source.mysql:" + s.name)
        .Info("snapshot: table " + t.table + " " + FormatTableProgress(t) + "; " + std::to_string(s.rows_total) +
              " rows in all");
  }
}

void ProgressDisplay::Clear() {
  if (footer_) core::SetFooter("");
  footer_ = false;
}

}  // namespace weft::status
