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
  // The estimate is the server's guess: past it, the bar stays nearly full and shows no percentage.
  bool estimate_useful = t.rows_estimate > t.rows_done;
  uint64_t filled = estimate_useful ? t.rows_done * kBarCells / t.rows_estimate : kBarCells - 1;
  for (uint64_t i = 0; i < filled; ++i) bar[i] = '#';
  // Most telling first, so that cutting the line to the terminal's width drops the least.
  std::string line = source + "." + t.table + " [" + bar + "]";
  char text[160];
  if (estimate_useful) {
    std::snprintf(text, sizeof text, " %3llu%%", static_cast<unsigned long long>(t.rows_done * 100 / t.rows_estimate));
    line += text;
    if (t.rows_per_s > 0) {
      double eta_ms = static_cast<double>(t.rows_estimate - t.rows_done) / t.rows_per_s * 1000.0;
      int64_t eta_s = (static_cast<int64_t>(eta_ms) + 999) / 1000;
      line += " ETA " + (eta_s < 60 ? std::to_string(eta_s) + "s" : FormatDuration(eta_s * 1000));
    }
  }
  std::snprintf(text, sizeof text, " %.0f rows/s, %llu", t.rows_per_s, static_cast<unsigned long long>(t.rows_done));
  line += text;
  if (estimate_useful) line += "/~" + std::to_string(t.rows_estimate);
  line += " rows";
  // A line wider than the terminal wraps, and the footer could not erase itself any more.
  if (line.size() >= width) line.resize(width - 1);
  return line;
}

void ProgressDisplay::Update(const Report& report, int64_t now_ms, bool force) {
  if (terminal_ && (force || !drawn_ || now_ms - last_draw_ms_ >= kRedrawMs)) {
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
    if (!footer.empty() || footer_) core::SetFooter(footer);
    footer_ = !footer.empty();
  }

  // Finished tables, once each, in both modes.
  for (const auto& s : report.sources) {
    if (!s.has_snapshot) continue;
    for (const auto& t : s.snapshot_tables) {
      if (!t.done || !finished_logged_.insert({s.name, t.table}).second) continue;
      char line[64];
      double secs = static_cast<double>(t.elapsed_ms) / 1000.0;
      std::snprintf(line, sizeof line, " rows in %.1f s", secs);
      std::string text = "snapshot: table " + t.table + " done: " + std::to_string(t.rows_done) + line;
      if (secs >= 0.5) {  // a rate over a few milliseconds means nothing
        std::snprintf(line, sizeof line, " (%.0f rows/s)", static_cast<double>(t.rows_done) / secs);
        text += line;
      }
      core::Logger("source." + s.kind + ":" + s.name).Info(text);
    }
  }
  if (terminal_) return;

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
    core::Logger("source." + s.kind + ":" + s.name)
        .Info("snapshot: table " + t.table + " " + FormatTableProgress(t) + "; " + std::to_string(s.rows_total) +
              " rows in all");
  }
}

void ProgressDisplay::Clear() {
  if (footer_) core::SetFooter("");
  footer_ = false;
}

}  // namespace weft::status
