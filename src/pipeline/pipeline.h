#pragma once
// Pipeline: `weft run` on the libuv loop. It owns the StateDb, the ViewEngine, one Source
// (source/source.h, made by PipelineFactories) per source that feeds a view, and one SinkWriter per
// sink. The data path (ARCHITECTURE.md):
//
//   source thread --batches--> loop: apply to state, plan, assemble, and commit the outbox entries
//   and the source offset in ONE SQLite transaction --> writer thread: bulk write --ack--> loop:
//   remove acknowledged entries from the outbox.
//
// Batches that arrive in one loop iteration are applied in one SQLite transaction (group commit).
// A source transaction bigger than SourceOptions::max_batch_changes arrives in parts: a group that
// ends inside one commits no offset (so every committed offset is resumable, and a crash replays the
// transaction whole) and leaves its documents to the group that ends it (group_apply.cpp). A
// snapshot's documents, and those of a big group (a catch-up), go to the writers while they are
// built, not through the outbox (pipeline/write_stream.h): the outbox holds what a sink did not
// take and the documents of small groups, which never wait for a sink. On start the outbox drains before any source is read. At
// outbox_limit pending writes the sources are paused (back-pressure) until the writers catch up.
//
// Views against the source database (pipeline/view_validation.h): Start refuses (InvalidArgument,
// every problem listed) when a view names a table or column the source lacks. A schema change on a
// table a view reads (Source::EffectOf) commits what came before it, stops that source and reads it
// again from a fresh consistent snapshot (pipeline/schema_change.cpp says why); views naming a
// table or column that is gone stop with an error naming the view, the table or column and the
// fix, and the others go on. A stopped view's documents stay as they were. pipeline_runs.h lists
// which file holds which members.
//
// Loop thread only, except where noted.

#include <uv.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/log.h"
#include "core/status.h"
#include "loop/uv_handles.h"
#include "pipeline/outbox_feed.h"
#include "pipeline/sink_writer.h"
#include "pipeline/write_stream.h"
#include "sink/document_sink.h"
#include "source/source.h"
#include "state/state_db.h"
#include "status/preview.h"
#include "status/progress.h"
#include "status/registry.h"
#include "view/view_engine.h"

namespace weft::pipeline {

struct PipelineOptions {
  bool oneshot = false;  // snapshot, write every document, delete the rest, exit
  // Snapshot progress as live bars on stderr (a terminal) instead of a log line every 5 s.
  bool progress_bars = false;
  // A group whose Flush rebuilds this many roots or more (a catch-up, a big transaction) writes
  // its documents to the sinks while they are built instead of through the outbox
  // (pipeline/write_stream.h); smaller groups, the live path, never wait for a sink on the loop.
  size_t direct_write_min_roots = 2000;
  // A catch-up: while groups keep arriving full (coalesce_min_group_changes changes or more: the
  // source's queue was full), their documents wait, with their offsets, until coalesce_changes
  // changes are applied (or a group is smaller), so a document many of them touch (a hot product's
  // orders) is built once instead of once per group. The changes themselves are freed as applied:
  // only the roots wait (~150 bytes each, at most kMaxDeferredRoots). 0 turns it off.
  size_t coalesce_min_group_changes = 4096;
  size_t coalesce_changes = 32768;
};

// What the pipeline makes its sources and sinks with: `weft run` passes the real ones
// (cli/source_factory.cpp, cli/sink_factory.cpp); the pipeline's unit tests pass fakes.
struct PipelineFactories {
  source::SourceFactory make_source;
  source::CatalogLoader load_catalog;
  std::function<core::Result<std::unique_ptr<sink::DocumentSink>>(const config::SinkConfig& config)> make_sink;
};

// Figures for the summary and the status endpoint.
struct Figures {
  uint64_t rows_in = 0;        // source changes applied (snapshot rows included)
  uint64_t docs_out = 0;       // document writes acknowledged by sinks
  uint64_t docs_deleted = 0;   // of which deletes
  uint64_t changes_out = 0;    // change records (change_sources) acknowledged by sinks, tombstones included
  uint64_t dead_letters = 0;
  int64_t outbox_depth = 0;
  int64_t last_source_ts_ms = 0;  // commit time of the last applied source change
};

class Pipeline {
 public:
  using FinishedHandler = std::function<void(const core::Status& status)>;

  Pipeline(config::Config config, PipelineOptions options, PipelineFactories factories, uv_loop_t* loop);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Opens the state, builds the views and sinks, drains the outbox, then starts the sources.
  // `on_finished` runs once: after --oneshot completes, after RequestStop() finishes, or on a fatal
  // error. An error returned here means nothing was started.
  core::Status Start(FinishedHandler on_finished);
  // Graceful stop (SIGTERM): stop reading, apply what arrived, flush the outbox (bounded wait),
  // commit, then finish with Ok.
  void RequestStop();
  // The same, asked from a signal handler (or any thread): async-signal-safe (lock-free atomics and
  // uv_async_send). Unlike a uv_signal_t callback, which waits for the loop thread, it reaches work
  // already in progress there: applying a group of batches stops before the next batch, and
  // building a snapshot's documents gives up (rolled back: no offset was committed, so the next
  // start takes the snapshot again). That keeps SIGTERM's exit within 10 s on a big snapshot.
  // `signum` is only logged ("SIGTERM received"), on the loop thread.
  void RequestStopFromSignal(int signum);

  const Figures& figures() const { return figures_; }
  // The status figures (status/registry.h): the HTTP endpoint reads them, the caller sets the
  // process details before Start. They are persisted in the state DB (meta key
  // status::kFiguresMetaKey) every 5 s and when the run ends.
  status::Registry& registry() { return registry_; }
  // The dashboard's live preview of each view (status/preview.h), read by the HTTP endpoint.
  const status::PreviewBuffer& previews() const { return previews_; }

 private:
  struct SourceRun;
  struct SinkRun;

  void StartSources();
  core::Status StartSource(SourceRun& run);
  // Schema changes (schema_change.cpp).
  core::Status ValidateViewsAtStart();
  // `effect`: what the source says `ddl` touches (Source::EffectOf).
  bool SchemaChangeTouchesViews(const std::string& source, const change::Change& ddl,
                                const source::SchemaEffect& effect);
  core::Status Resnapshot(const std::string& source, const std::string& statement);
  core::Status StartAwaitingSources();
  core::Status StopMismatchedViews(const std::string& source, const std::string& statement);
  void OnBatch(const std::string& source, source::SourceBatch&& batch);
  void OnSourceStopped(const std::string& source, const core::Status& why);
  void ProcessPending();
  // Group apply (group_apply.cpp): every batch pending goes into one state transaction with the
  // documents it changes (into the outbox) and the offsets it reaches.
  struct Group;
  core::Status ApplyPending();
  core::Status ApplyBatch(Group& group, const std::string& source, source::SourceBatch& batch);
  core::Status FlushGroup(Group& group);
  core::Status BuildSnapshot(Group& group, SourceRun& run, const source::SourceBatch& batch);
  uint64_t CountDirectWrites(const WriteStream& stream);  // figures; returns the total
  // Nothing older pending for the sink (none in flight, no back-off, nothing in the outbox): a big
  // group's documents may go to it while they are built.
  bool SinkIdle(const SinkRun& run) const;
  bool SinksIdle() const;
  bool AnySourceSnapshotting() const;
  core::Status AddWrite(Group& group, view::PendingWrite&& write);
  core::Status RecordProduced(const view::PendingWrite& write);
  void NotePreview(const view::PendingWrite& write);
  core::Status AppendWrites(Group& group);
  void PumpWriters();
  void SendBatch(SinkRun& run);
  using SentBatch = OutboxBatch;
  void OnWriteDone(SinkRun& run, const SentBatch& sent);
  void CheckBackPressure();
  void MaybeAdvance();  // drain -> start sources; oneshot phases; stop -> finish
  void ReconcileView(const std::string& view);
  void Finish(const core::Status& status);
  void PersistFigures();
  void ShowProgress(bool force);
  void OnTick();

  enum class Phase { kDrainingOutbox, kRunning, kOneshotDraining, kStopping, kDone };

  config::Config config_;
  PipelineOptions options_;
  PipelineFactories factories_;
  uv_loop_t* loop_;
  core::Logger log_{"pipeline"};
  std::unique_ptr<state::StateDb> db_;
  std::unique_ptr<OutboxFeed> feed_;  // what each sink writes next (pipeline/outbox_feed.h)
  std::unique_ptr<view::ViewEngine> engine_;
  std::map<std::string, std::unique_ptr<SourceRun>> sources_;
  std::map<std::string, std::unique_ptr<SinkRun>> sinks_;
  // source -> the sinks that publish its change records (config change_sources; change_records.h)
  std::map<std::string, std::vector<std::string>> change_sinks_;
  std::vector<std::pair<std::string, source::SourceBatch>> pending_;
  // Offsets of applied groups whose documents wait until the sinks are idle (group_apply.cpp):
  // committed by the group that builds them. waiting_for_sinks_: such a group is due.
  std::map<std::string, std::string> withheld_offsets_;
  bool waiting_for_sinks_ = false;
  size_t coalesced_changes_ = 0;  // changes of the groups whose documents wait for a catch-up's build
  loop::IdleHandle idle_;         // started while pending_ is non-empty: ProcessPending
  loop::TimerHandle timer_;       // OnTick: retry back-off and stop deadline ticks
  loop::AsyncHandle stop_async_;  // RequestStopFromSignal -> RequestStop
  core::Status handles_status_;   // stop_async_'s Init, reported by Start
  std::atomic<bool> stop_signalled_{false};
  std::atomic<int> stop_signum_{0};
  Phase phase_ = Phase::kDrainingOutbox;
  bool paused_ = false;
  FinishedHandler on_finished_;
  Figures figures_;
  status::Registry registry_;
  status::PreviewBuffer previews_;
  std::unique_ptr<status::ProgressDisplay> progress_;
  std::chrono::steady_clock::time_point last_persist_;
  bool persist_failed_ = false;  // logged once
  // Views whose snapshot is being reconciled with the sink: every id upserted since the snapshot
  // started is recorded in the state DB (state/snapshot_ids.h), not in memory, as
  // DocumentSink::ScanIdKey spells it. Documents in the sink outside that set are deleted.
  std::set<std::string> tracking_ids_;
  std::map<std::string, std::chrono::steady_clock::time_point> reconcile_retry_;  // view -> when
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point stop_deadline_;
};

}  // namespace weft::pipeline
