#pragma once
// What pipeline/*.cpp share and nobody else sees: the per-source and per-sink run state, and the
// constants and helpers of the data path. The Pipeline's members are split by concern:
//   pipeline.cpp        start, phases (drain, run, oneshot, stop), figures, finish
//   source_runs.cpp     starting, stopping and re-reading sources (resnapshot, lost snapshot)
//   group_apply.cpp     batches -> one state transaction per group (apply, build, outbox, offsets)
//   reconcile.cpp       after a snapshot: delete the sink's documents it did not produce
//   sink_runs.cpp       outbox -> sink writers, acknowledgements, back-off, back-pressure
//   schema_change.cpp   schema changes and views that no longer match their source
// Loop thread only.

#include <chrono>
#include <string>

#include "pipeline/pipeline.h"
#include "source/source.h"
#include "status/registry.h"

namespace weft::pipeline {

using source::SourceBatch;
using Clock = std::chrono::steady_clock;

inline constexpr int kTickMs = 100;
inline constexpr int kMinBackoffMs = 500;
inline constexpr int kMaxBackoffMs = 30000;
inline constexpr int kStopFlushSeconds = 8;  // SIGTERM: exit within 10 s even when a sink is down
inline constexpr auto kPersistFiguresEvery = std::chrono::seconds(5);
inline constexpr int kMaxSchemaRetries = 5;
// Documents built (snapshot or group) held in memory before they go to the outbox.
inline constexpr size_t kBuildChunk = 2000;
// Roots a group inside a big source transaction may leave to a later group before their documents
// must be built (group_apply.cpp): about 150 bytes each.
inline constexpr size_t kMaxDeferredRoots = 100000;

inline status::SourceSignal SignalOf(SourceBatch::Signal signal) {
  switch (signal) {
    case SourceBatch::Signal::kConnected: return status::SourceSignal::kConnected;
    case SourceBatch::Signal::kCaughtUp: return status::SourceSignal::kCaughtUp;
    case SourceBatch::Signal::kReconnecting: return status::SourceSignal::kReconnecting;
    case SourceBatch::Signal::kNone: break;
  }
  return status::SourceSignal::kNone;
}

// Meta key set to "1" in the transaction that commits a snapshot of the view's source, and to "0"
// in the one that queues the deletes of its reconciliation (ReconcileView).
inline std::string UnreconciledKey(const std::string& view) { return "unreconciled_snapshot:" + view; }

inline double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Pipeline::SourceRun {
  std::string name;
  std::unique_ptr<source::Source> source;
  bool snapshotting = false;
  bool snapshot_done = false;
  bool stopped = false;
  uint64_t snapshot_rows = 0;
  // Bumped when a schema change makes the source read again: reconciliations of an earlier
  // snapshot still in flight then drop their result (ReconcileView).
  uint64_t generation = 0;
  // While a snapshot taken because of a schema change runs: that change, and how many times such a
  // snapshot failed because the schema moved again under it (-1: not such a snapshot).
  std::string schema_statement;
  int schema_retries = -1;
  // Read again after a schema change, once its views' earlier writes reached the sink
  // (StartAwaitingSources).
  bool awaiting_outbox = false;
  bool awaiting_logged = false;
  Clock::time_point snapshot_started;
  core::Logger log;
  SourceRun(std::string n, const std::string& kind) : name(n), log("source." + kind + ":" + n) {}
};

struct Pipeline::SinkRun {
  std::string name;
  config::SinkConfig config;
  std::unique_ptr<SinkWriter> writer;
  bool in_flight = false;
  int backoff_ms = 0;
  Clock::time_point retry_at{};
  bool failing = false;  // logged the current outage already
};

}  // namespace weft::pipeline
