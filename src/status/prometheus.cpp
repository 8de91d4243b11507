#include "status/prometheus.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <utility>
#include <vector>

namespace weft::status {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

using Labels = std::vector<std::pair<const char*, std::string>>;

std::string Number(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

std::string Number(int64_t v) { return std::to_string(v); }
std::string Number(uint64_t v) { return std::to_string(v); }

class Writer {
 public:
  // One metric family: HELP and TYPE once, then a sample per labelled series.
  void Family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
    name_ = name;
  }
  void Sample(const Labels& labels, const std::string& value) {
    out_ += name_;
    if (!labels.empty()) {
      out_ += '{';
      bool first = true;
      for (const auto& [key, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += key;
        out_ += "=\"";
        out_ += EscapeLabelValue(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  const char* name_ = "";
};

}  // namespace

std::string RenderPrometheus(const Report& r) {
  Writer w;
  w.Family("weft_up", "gauge", "1 while weft runs (the endpoint answers only then).");
  w.Sample({}, r.running ? "1" : "0");
  w.Family("weft_info", "gauge", "Version of the running weft, and the config it runs.");
  w.Sample({{"version", r.version}, {"config", r.config_path}}, "1");
  w.Family("weft_start_time_seconds", "gauge", "When this weft process started, in seconds since the epoch.");
  w.Sample({}, Number(static_cast<double>(r.started_ms) / 1000.0));

  w.Family("weft_source_state", "gauge",
           "State of the source: 1 for the current one of starting, snapshotting, streaming, retrying, stopped.");
  for (const auto& s : r.sources) {
    for (RunState state : kAllRunStates) {
      w.Sample({{"source", s.name}, {"state", RunStateName(state)}}, s.state == state ? "1" : "0");
    }
  }
  w.Family("weft_rows_total", "counter",
           "Row changes read from the source and applied to the state (snapshot reads included).");
  for (const auto& s : r.sources) w.Sample({{"source", s.name}}, Number(s.rows_total));
  w.Family("weft_source_delay_milliseconds", "gauge",
           "How far the state lags the source: 0 when caught up (see the README for the exact definition).");
  for (const auto& s : r.sources) w.Sample({{"source", s.name}}, Number(s.delay_ms));
  if (std::any_of(r.sources.begin(), r.sources.end(), [](const auto& s) { return s.lag_bytes >= 0; })) {
    w.Family("weft_source_lag_bytes", "gauge",
             "How far the source's log is ahead of what weft received, in bytes (PostgreSQL: WAL).");
    for (const auto& s : r.sources) {
      if (s.lag_bytes >= 0) w.Sample({{"source", s.name}}, Number(s.lag_bytes));
    }
  }
  w.Family("weft_last_change_timestamp_seconds", "gauge",
           "Source commit time of the last applied change, in seconds since the epoch (0: none yet).");
  for (const auto& s : r.sources) {
    w.Sample({{"source", s.name}}, Number(static_cast<double>(s.last_change_ms) / 1000.0));
  }
  w.Family("weft_snapshot_rows", "gauge", "Rows of the table read by this run's snapshot so far.");
  for (const auto& s : r.sources) {
    for (const auto& t : s.snapshot_tables) w.Sample({{"source", s.name}, {"table", t.table}}, Number(t.rows_done));
  }
  w.Family("weft_snapshot_rows_estimate", "gauge",
           "The server's estimate of the table's rows when the snapshot started (InnoDB: approximate).");
  for (const auto& s : r.sources) {
    for (const auto& t : s.snapshot_tables) {
      w.Sample({{"source", s.name}, {"table", t.table}}, Number(t.rows_estimate));
    }
  }

  w.Family("weft_view_state", "gauge",
           "State of the view: 1 for the current one of starting, snapshotting, streaming, retrying, stopped.");
  for (const auto& v : r.views) {
    for (RunState state : kAllRunStates) {
      w.Sample({{"view", v.name}, {"state", RunStateName(state)}}, v.state == state ? "1" : "0");
    }
  }
  w.Family("weft_view_rows_total", "counter", "Row changes applied to the tables the view reads.");
  for (const auto& v : r.views) w.Sample({{"view", v.name}, {"source", v.source}}, Number(v.rows_total));
  w.Family("weft_documents_total", "counter", "Document writes (upserts and deletes) the sink acknowledged.");
  for (const auto& v : r.views) w.Sample({{"view", v.name}, {"sink", v.sink}}, Number(v.documents_total));
  w.Family("weft_documents_deleted_total", "counter", "Document deletes the sink acknowledged.");
  for (const auto& v : r.views) w.Sample({{"view", v.name}, {"sink", v.sink}}, Number(v.documents_deleted_total));
  w.Family("weft_delay_milliseconds", "gauge",
           "How far the view's documents lag the source: its source's delay, or longer while the sink has "
           "not taken the writes.");
  for (const auto& v : r.views) {
    w.Sample({{"view", v.name}, {"source", v.source}, {"sink", v.sink}}, Number(v.delay_ms));
  }
  w.Family("weft_outbox_depth", "gauge", "Document writes committed to the outbox and not yet acknowledged by the sink.");
  for (const auto& v : r.views) w.Sample({{"view", v.name}, {"sink", v.sink}}, Number(v.outbox_depth));
  w.Family("weft_dead_letters_total", "counter",
           "Documents the sink rejected, kept in the state DB's dead_letters table (all runs).");
  for (const auto& v : r.views) w.Sample({{"view", v.name}, {"sink", v.sink}}, Number(v.dead_letters));
  return w.Take();
}

}  // namespace weft::status
