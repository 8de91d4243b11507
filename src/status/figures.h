#pragma once
// The status figures as plain data: what `GET /status` returns as JSON, what `GET /metrics` renders
// for Prometheus, what the state DB keeps (meta key kFiguresMetaKey) for `weft status` when weft is
// not running. status::Registry computes them on the loop thread; everything here is a value that
// any thread may copy.
//
// The JSON (figures_json.cpp) is the contract of `GET /status` and `weft status --json`:
//   {"weft": {"version", "pid", "config", "state_db", "started_at", "uptime_s", "state": "running"|"stopped"},
//    "time": "2026-11-21T10:00:00.123Z", "time_ms": 1795...,
//    "sources": [{"name", "state", "rows_total", "rows_per_s", "delay_ms", "offset", "last_change_ms",
//                 "caught_up", "snapshot": {"started_at", "done", "tables": [{"table", "rows_done",
//                 "rows_estimate", "rows_per_s", "done", "elapsed_ms"}]}}],
//    "views": [{"name", "source", "sink", "collection", "state", "rows_total", "rows_per_s",
//               "documents_total", "documents_deleted_total", "documents_per_s", "delay_ms",
//               "outbox_depth", "dead_letters", "latest_dead_letters": [{"id", "reason", "time", "time_ms"}],
//               "sink_error", "error"}]}

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace weft::status {

inline constexpr char kFiguresMetaKey[] = "status.figures";
inline constexpr size_t kLatestDeadLetters = 5;

// starting: the outbox left by the last run drains before the sources start.
// snapshotting: a consistent snapshot is being read. streaming: reading the binlog.
// retrying: the source reconnects, or (for a view) its sink refuses writes and weft backs off.
// stopped: the source ended, or weft is not running.
enum class RunState { kStarting, kSnapshotting, kStreaming, kRetrying, kStopped };
inline constexpr RunState kAllRunStates[] = {RunState::kStarting, RunState::kSnapshotting, RunState::kStreaming,
                                             RunState::kRetrying, RunState::kStopped};

const char* RunStateName(RunState state);
std::optional<RunState> ParseRunState(std::string_view name);

struct TableProgress {
  std::string table;
  uint64_t rows_done = 0;
  uint64_t rows_estimate = 0;  // information_schema's estimate at snapshot start (InnoDB: approximate)
  double rows_per_s = 0;       // over the last 10 s (0 once done)
  bool done = false;
  int64_t elapsed_ms = 0;      // time spent reading this table so far
};

struct SourceFigures {
  std::string name;
  std::string kind = "mysql";  // the config's source kind
  RunState state = RunState::kStarting;
  uint64_t rows_total = 0;   // row changes applied (snapshot reads included; DDL excluded)
  double rows_per_s = 0;     // over the last 10 s
  int64_t delay_ms = 0;      // see Registry for the exact definition
  std::string offset;        // resume token of the last committed batch ("" before the first)
  int64_t last_change_ms = 0;  // source commit time of the last applied change (0: none yet)
  bool caught_up = false;    // the server had nothing more to send at the last heartbeat
  // Bytes of source log between the last delivered batch and the server's end, when the source
  // reports it (PostgreSQL: the slot's lag); -1 when unknown.
  int64_t lag_bytes = -1;
  // The current or last snapshot of this run (absent when the run resumed from an offset).
  bool has_snapshot = false;
  int64_t snapshot_started_ms = 0;
  bool snapshot_done = false;
  std::vector<TableProgress> snapshot_tables;  // in reading order
};

// One document the sink rejected (the state DB's dead_letters table keeps them all).
struct DeadLetterNote {
  std::string id;      // the document's id_key
  std::string reason;  // the sink's message
  int64_t time_ms = 0;
};

struct ViewFigures {
  std::string name;
  std::string source;
  std::string sink;
  std::string collection;
  RunState state = RunState::kStarting;
  uint64_t rows_total = 0;   // row changes applied to the tables this view reads
  double rows_per_s = 0;
  uint64_t documents_total = 0;          // document writes the sink acknowledged (deletes included)
  uint64_t documents_deleted_total = 0;  // of which deletes
  double documents_per_s = 0;
  int64_t delay_ms = 0;
  int64_t outbox_depth = 0;    // document writes committed and not yet acknowledged by the sink
  uint64_t dead_letters = 0;   // documents the sink rejected (state DB table dead_letters)
  std::vector<DeadLetterNote> latest_dead_letters;  // the newest first, at most kLatestDeadLetters
  std::string sink_error;      // the sink's last failure while it is retrying ("" otherwise)
  std::string error;           // why the view stopped while the run goes on (its table left the source)
};

struct Report {
  std::string version;
  int64_t pid = 0;
  std::string config_path;   // absolute
  std::string state_db_path;
  int64_t started_ms = 0;    // wall clock, ms since the epoch
  int64_t time_ms = 0;       // when these figures were taken
  bool running = true;       // false in the figures persisted at stop
  std::vector<SourceFigures> sources;
  std::vector<ViewFigures> views;
};

// JSON rendering (indent < 0: one line) and parsing (for `weft status`, which reads /status or the
// figures persisted in the state DB). Parse errors are kInvalidArgument naming the field.
std::string ToJson(const Report& report, int indent = -1);
core::Result<Report> ParseReport(std::string_view json);

// "2026-11-21T10:00:00.123Z".
std::string FormatTimeMs(int64_t ms_since_epoch);

}  // namespace weft::status
