#include "status/text_report.h"

#include <cstdio>

namespace weft::status {
namespace {

std::string Rate(double per_s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", per_s);
  return text;
}

}  // namespace

std::string FormatDuration(int64_t ms) {
  char text[32];
  if (ms < 0) ms = 0;
  if (ms < 10000) {
    std::snprintf(text, sizeof text, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60000) {
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms) / 1000.0);
  } else if (ms < 3600000) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(ms / 60000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(ms / 3600000),
                  static_cast<long long>(ms / 60000 % 60));
  }
  return text;
}

std::string FormatTableProgress(const TableProgress& t) {
  std::string line = std::to_string(t.rows_done);
  if (t.done) return line + " rows, done";
  // The estimate is the server's guess: once passed, the percentage and ETA mean nothing.
  bool estimate_useful = t.rows_estimate > t.rows_done;
  if (estimate_useful) {
    line += "/~" + std::to_string(t.rows_estimate) + " rows (" +
            std::to_string(t.rows_done * 100 / t.rows_estimate) + "%)";
  } else {
    line += " rows";
  }
  line += ", " + Rate(t.rows_per_s) + " rows/s";
  if (estimate_useful && t.rows_per_s > 0) {
    double eta_s = static_cast<double>(t.rows_estimate - t.rows_done) / t.rows_per_s;
    int64_t whole_s = static_cast<int64_t>(eta_s + 0.999);
    line += ", ETA " + (whole_s < 60 ? std::to_string(whole_s) + "s" : FormatDuration(whole_s * 1000));
  }
  return line;
}

std::string FormatViewLine(const ViewFigures& v) {
  std::string line = v.name + ": " + RunStateName(v.state) + ", qps " + Rate(v.rows_per_s) + ", total rows " +
                     std::to_string(v.rows_total) + ", delay " + FormatDuration(v.delay_ms) + ", documents " +
                     std::to_string(v.documents_total) + " (" + Rate(v.documents_per_s) + "/s), outbox " +
                     std::to_string(v.outbox_depth) + ", dead letters " + std::to_string(v.dead_letters);
  return line;
}

std::string FormatReportText(const Report& r) {
  std::string out;
  for (const auto& v : r.views) {
    out += FormatViewLine(v) + "\n";
    if (!v.sink_error.empty()) out += "  sink " + v.sink + ": " + v.sink_error + "\n";
    if (!v.error.empty()) out += "  stopped: " + v.error + "\n";
  }
  for (const auto& s : r.sources) {
    out += "  source " + s.name + ": " + RunStateName(s.state) + ", qps " + Rate(s.rows_per_s) + ", total rows " +
           std::to_string(s.rows_total) + ", delay " + FormatDuration(s.delay_ms) +
           (s.lag_bytes >= 0 ? ", lag " + std::to_string(s.lag_bytes) + " bytes" : std::string()) + ", offset " +
           (s.offset.empty() ? "-" : s.offset) + "\n";
    if (s.has_snapshot && !s.snapshot_done) {
      for (const auto& t : s.snapshot_tables) {
        out += "    snapshot " + t.table + ": " + FormatTableProgress(t) + "\n";
      }
    }
  }
  return out;
}

}  // namespace weft::status
