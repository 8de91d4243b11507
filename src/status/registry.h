#pragma once
// Registry: the live status figures of one `weft run`, fed by the pipeline as things happen and
// read as a Report (figures.h) by the HTTP endpoint, the progress display and the state DB writer.
//
// Threading: loop thread only (the pipeline owns it; the HTTP server runs on the same loop).
//
// Delay, per source (milliseconds; binlog commit times have whole-second resolution, so the figure
// is an upper bound, exact to within a second):
//   - snapshotting: now minus the snapshot's start (the state is as of that moment);
//   - caught up (a heartbeat arrived after the last applied change: the server had nothing more to
//     send): 0, as long as the stream keeps showing signs of life (kCaughtUpFreshMs);
//   - otherwise, while batches keep arriving (within kQuietMs): the lag measured when the last
//     change was applied, i.e. apply time minus its commit time (Debezium's MilliSecondsBehindSource);
//   - otherwise (nothing heard for a while: reconnecting, back-pressure, a stuck reader): now minus
//     the commit time of the last applied change, growing until the source speaks again.
// Per view: the larger of its source's delay and, while its sink has not acknowledged every
// committed write, now minus the commit time of the oldest change whose documents are still in the
// outbox (documents of the previous run's outbox have no known time and do not count).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "status/figures.h"
#include "status/rate_meter.h"

namespace weft::status {

struct Clock {
  std::function<int64_t()> wall_ms;    // ms since the epoch (system clock)
  std::function<int64_t()> steady_ms;  // monotonic ms
  static Clock System();
};

// What the reader said besides changes (mirrors source::mysql::SourceBatch::Signal).
enum class SourceSignal { kNone, kConnected, kCaughtUp, kReconnecting };

class Registry {
 public:
  // The stream is "quiet" after no batch for a heartbeat period (5 s) plus slack; a caught-up
  // stream goes stale after the reader's read timeout (three heartbeats plus 2 s).
  static constexpr int64_t kQuietMs = 7000;
  static constexpr int64_t kCaughtUpFreshMs = 17000;

  explicit Registry(Clock clock = Clock::System());
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  void SetProcess(std::string version, int64_t pid, std::string config_path, std::string state_db_path);
  // `kind`: the source's config kind ("mysql", "postgresql"), for log lines and the figures; empty
  // keeps what an earlier call set ("mysql" until then).
  void AddSource(const std::string& source, const std::string& kind = "");
  // `tables`: the source tables the view reads (root and lookups).
  void AddView(const std::string& view, const std::string& source, const std::string& sink,
               const std::string& collection, const std::vector<std::string>& tables);
  // Figures that survive in the state DB, read at start.
  void SetViewBacklog(const std::string& view, int64_t outbox_depth, uint64_t dead_letters);
  // The newest dead letters the state DB holds for `view` (newest first), read at start.
  void SetLatestDeadLetters(const std::string& view, std::vector<DeadLetterNote> newest_first);

  // --- sources ---
  void SourceStarted(const std::string& source, bool snapshot, const std::string& offset);
  // Any batch from the reader, in delivery order, after its changes were applied.
  void BatchReceived(const std::string& source, SourceSignal signal, bool has_changes);
  // A batch that said how far the source's log is ahead (SourceBatch::lag_bytes >= 0).
  void SourceLag(const std::string& source, int64_t bytes);
  // `n` row changes of `table` applied, the last committed at commit_ts_ms (0: unknown).
  void RowsApplied(const std::string& source, const std::string& table, uint64_t n, int64_t commit_ts_ms);
  void SnapshotProgress(const std::string& source, const std::string& table, uint64_t rows_done,
                        uint64_t rows_estimate);
  void SnapshotDone(const std::string& source);
  void OffsetCommitted(const std::string& source, const std::string& offset);
  void SourceStopped(const std::string& source);

  // --- outbox and sinks ---
  // A transaction appended `n` outbox entries for `view`.
  void OutboxAppended(const std::string& view, int64_t n);
  // The same transaction, per sink: its highest outbox seq, and the commit time of the oldest
  // change it applied (0: it applied none, e.g. the snapshot's build; the oldest last-change time
  // of the sink's sources stands in).
  void OutboxCommitted(const std::string& sink, int64_t max_seq, int64_t oldest_change_ms);
  // The oldest outbox seq still pending for `sink` (nullopt: none), as the writer reads it.
  void SinkPendingFrom(const std::string& sink, std::optional<int64_t> min_seq);
  // Acknowledged by the sink: `written` upserts, `deleted` deletes, `removed` outbox entries
  // (several entries of one document coalesce into one write).
  void DocumentsAcked(const std::string& view, uint64_t written, uint64_t deleted, int64_t removed);
  void DeadLettered(const std::string& view, uint64_t n);
  // Which document it was and why (kept: the newest kLatestDeadLetters).
  void DeadLetterNoted(const std::string& view, DeadLetterNote note);
  void SinkFailing(const std::string& sink, const std::string& error);
  void SinkOk(const std::string& sink);

  // --- views ---
  // The view stopped for good in this run (its table or a column it needs left the source); the
  // others go on. Its state shows stopped, with `error`.
  void ViewStopped(const std::string& view, const std::string& error);

  // Everything stopped (the run ends).
  void Stop();

  Report Snapshot() const;

 private:
  struct SourceRec;
  struct ViewRec;
  struct SinkRec {
    bool failing = false;
    std::string error;
    std::deque<std::pair<int64_t, int64_t>> commits;  // (max seq, oldest change ms), seq ascending
    std::vector<std::string> sources;
  };
  SourceRec* FindSource(const std::string& name);
  ViewRec* FindView(const std::string& name);
  int64_t SourceDelay(const SourceRec& s, int64_t wall, int64_t steady) const;

  Clock clock_;
  Report process_;  // version, pid, paths, start time
  std::vector<std::unique_ptr<SourceRec>> sources_;
  std::vector<std::unique_ptr<ViewRec>> views_;
  std::map<std::string, SinkRec> sinks_;
  // (source, table) -> indexes into views_ of the views that read it
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> readers_;
  bool stopped_ = false;
};

}  // namespace weft::status
