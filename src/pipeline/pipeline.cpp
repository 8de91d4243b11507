#include "pipeline/pipeline.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <unordered_map>

#include "state/snapshot_ids.h"
#include "status/figures.h"

namespace weft::pipeline {

using source::SourceBatch;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kTickMs = 100;
constexpr int kMinBackoffMs = 500;
constexpr int kMaxBackoffMs = 30000;
constexpr int kStopFlushSeconds = 8;  // SIGTERM: exit within 10 s even when a sink is down
constexpr auto kPersistFiguresEvery = std::chrono::seconds(5);
constexpr int kMaxSchemaRetries = 5;
constexpr size_t kBuildChunk = 2000;  // documents built (snapshot or group) held in memory before they go to the outbox

status::SourceSignal SignalOf(SourceBatch::Signal signal) {
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
std::string UnreconciledKey(const std::string& view) { return "unreconciled_snapshot:" + view; }

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

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

Pipeline::Pipeline(config::Config config, PipelineOptions options, PipelineFactories factories, uv_loop_t* loop)
    : config_(std::move(config)), options_(options), factories_(std::move(factories)), loop_(loop) {
  stop_async_ = new uv_async_t;
  uv_async_init(loop_, stop_async_, [](uv_async_t* handle) {
    auto* self = static_cast<Pipeline*>(handle->data);
    if (!self) return;
    core::Log(core::LogLevel::kInfo, "weft", self->stop_signum_.load() == SIGINT ? "SIGINT received" : "SIGTERM received");
    self->RequestStop();
  });
  stop_async_->data = this;
}

Pipeline::~Pipeline() {
  for (auto& [name, run] : sources_) if (run->source) run->source->Stop();
  sources_.clear();
  for (auto& [name, run] : sinks_) if (run->writer) run->writer->Stop();
  if (idle_) {
    uv_close(reinterpret_cast<uv_handle_t*>(idle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
    idle_ = nullptr;
  }
  if (timer_) {
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    timer_ = nullptr;
  }
  stop_async_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(stop_async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
}

core::Status Pipeline::Start(FinishedHandler on_finished) {
  on_finished_ = std::move(on_finished);
  started_ = Clock::now();
  // Before anything is written: a view naming a table or column the source lacks is a config error.
  WEFT_RETURN_IF_ERROR(ValidateViewsAtStart());
  WEFT_ASSIGN_OR_RETURN(db_, state::StateDb::Open(config_.state.path));
  feed_ = std::make_unique<OutboxFeed>(db_.get());
  WEFT_ASSIGN_OR_RETURN(engine_, view::ViewEngine::Create(config_, db_.get()));

  for (const auto& view : config_.views) {
    if (sinks_.count(view.sink)) continue;
    const config::SinkConfig* sink_config = config_.FindSink(view.sink);
    if (!sink_config) return core::NotFound("view " + view.name + ": sink '" + view.sink + "' is not defined");
    WEFT_ASSIGN_OR_RETURN(auto sink, factories_.make_sink(*sink_config));
    auto run = std::make_unique<SinkRun>();
    run->name = view.sink;
    run->config = *sink_config;
    run->writer = std::make_unique<SinkWriter>(view.sink, std::move(sink), loop_);
    feed_->AddSink(view.sink, static_cast<size_t>(std::max(1, sink_config->batch_size)));
    sinks_[view.sink] = std::move(run);
  }
  for (const auto& view : config_.views) {
    const config::SourceConfig* source_config = config_.FindSource(view.source);
    if (!source_config) return core::NotFound("view " + view.name + ": source '" + view.source + "' is not defined");
    if (!sources_.count(view.source)) sources_[view.source] = std::make_unique<SourceRun>(view.source, source_config->kind);
  }

  WEFT_ASSIGN_OR_RETURN(figures_.outbox_depth, db_->OutboxDepth());
  WEFT_ASSIGN_OR_RETURN(auto backlog, db_->OutboxDepthByView());
  for (const auto& view : config_.views) {
    std::vector<std::string> tables = {view.root};
    for (const auto& lookup : view.lookups) tables.push_back(lookup.table);
    registry_.AddView(view.name, view.source, view.sink, view.collection, tables);
    WEFT_ASSIGN_OR_RETURN(int64_t dead, db_->DeadLetterCount(view.name));
    registry_.SetViewBacklog(view.name, backlog.count(view.name) ? backlog[view.name] : 0, static_cast<uint64_t>(dead));
  }
  progress_ = std::make_unique<status::ProgressDisplay>(options_.progress_bars);
  last_persist_ = Clock::now();
  idle_ = new uv_idle_t;
  uv_idle_init(loop_, idle_);
  idle_->data = this;
  timer_ = new uv_timer_t;
  uv_timer_init(loop_, timer_);
  timer_->data = this;
  uv_timer_start(timer_, [](uv_timer_t* t) {
    auto* self = static_cast<Pipeline*>(t->data);
    for (auto it = self->reconcile_retry_.begin(); it != self->reconcile_retry_.end();) {
      if (Clock::now() < it->second) {
        ++it;
        continue;
      }
      std::string view = it->first;
      it = self->reconcile_retry_.erase(it);
      self->ReconcileView(view);
    }
    self->PumpWriters();
    self->MaybeAdvance();
    if (self->phase_ == Phase::kDone) return;
    self->ShowProgress(false);
    if (Clock::now() - self->last_persist_ >= kPersistFiguresEvery) self->PersistFigures();
  }, kTickMs, kTickMs);

  if (figures_.outbox_depth > 0) {
    log_.Info("draining " + std::to_string(figures_.outbox_depth) +
              " document writes left in the outbox by the last run before reading the sources");
  }
  PumpWriters();
  MaybeAdvance();
  return core::Status::Ok();
}

void Pipeline::StartSources() {
  for (auto& [name, run] : sources_) {
    core::Status started = StartSource(*run);
    if (!started.ok()) return Finish(started);
  }
  CheckBackPressure();
}

core::Status Pipeline::StartSource(SourceRun& source_run) {
  SourceRun* run = &source_run;
  const std::string& name = run->name;
  {
    const config::SourceConfig* source_config = config_.FindSource(name);
    source::SourceOptions options;
    options.tables = engine_->TablesFor(name);
    options.resumable = !options_.oneshot;  // --oneshot never resumes: leave no slot behind
    source::StartFrom from;
    auto stored = db_->GetOffset(name);
    if (!stored.ok()) return stored.status();
    // A snapshot whose reconciliation never ran (weft died between the snapshot's commit and the
    // listing of the sink) cannot be resumed from its offset: the documents of rows deleted before
    // that snapshot would stay in the sink for good. It is taken again instead.
    bool unreconciled = false;
    for (const auto& view : config_.views) {
      if (view.source != name || options_.oneshot || !stored->has_value() || engine_->Stopped(view.name)) continue;
      auto mark = db_->GetMeta(UnreconciledKey(view.name));
      if (!mark.ok()) return mark.status();
      unreconciled = unreconciled || *mark == std::optional<std::string>("1");
    }
    if (unreconciled) {
      run->log.Warn("the last snapshot committed, but weft stopped before removing the sink's documents it did "
                    "not produce: taking the snapshot again");
    }
    if (options_.oneshot || !stored->has_value() || unreconciled) {
      from.mode = source::StartFrom::Mode::kSnapshot;
      // A snapshot starts from empty state: a snapshot interrupted part way (no offset was
      // committed) is restarted cleanly rather than resumed.
      core::Status forget = db_->Begin();
      if (forget.ok()) forget = engine_->Forget(name);
      for (const auto& view : config_.views) {
        if (!forget.ok() || view.source != name || engine_->Stopped(view.name)) continue;
        forget = state::ClearSnapshotIds(*db_, view.name);  // left by a snapshot never reconciled
        tracking_ids_.insert(view.name);
      }
      if (forget.ok()) forget = db_->Commit();
      if (!forget.ok()) {
        db_->Rollback();
        return forget;
      }
      run->snapshotting = true;
      run->snapshot_started = Clock::now();
      run->log.Info("starting a consistent snapshot of tables " + [&] {
        std::string list;
        for (const auto& t : options.tables) list += (list.empty() ? "" : ", ") + t;
        return list;
      }());
    } else {
      from.mode = source::StartFrom::Mode::kOffset;
      from.offset = **stored;
      run->log.Info("resuming from offset " + from.offset);
    }
    registry_.SourceStarted(name, from.mode == source::StartFrom::Mode::kSnapshot, from.offset);
    WEFT_ASSIGN_OR_RETURN(run->source, factories_.make_source(*source_config, options, loop_));
    std::string source_name = name;
    core::Status started = run->source->Start(
        from, [this, source_name](SourceBatch&& batch) { OnBatch(source_name, std::move(batch)); },
        [this, source_name](const core::Status& why) { OnSourceStopped(source_name, why); });
    if (!started.ok()) return started.WithContext("source " + name);
    if (paused_) run->source->Pause();  // read again after a schema change while back-pressure holds
  }
  return core::Status::Ok();
}

// A schema change touched a table the views of `name` read (SchemaChangeTouchesViews): the batches
// before it are committed; the source is stopped, forgotten and read again from a fresh consistent
// snapshot (schema_change.cpp says why), after the views that no longer match it stopped.
core::Status Pipeline::Resnapshot(const std::string& name, const std::string& statement) {
  SourceRun& run = *sources_.at(name);
  run.source.reset();  // stops and joins the reader: none of its batches or callbacks follow
  // Batches it delivered that are not applied yet (a failed snapshot's rows, delivered before its
  // stop callback) belong to the read being replaced: applied after the Forget below, they would
  // bring back rows the new snapshot does not have.
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(), [&](const auto& p) { return p.first == name; }),
                 pending_.end());
  ++run.generation;
  run.schema_statement = statement;
  run.schema_retries = std::max(run.schema_retries, 0);
  for (const auto& view : config_.views) {
    if (view.source == name) reconcile_retry_.erase(view.name);
  }
  // From this commit on, a crash makes the next start snapshot (no offset), not resume past the DDL.
  WEFT_RETURN_IF_ERROR(db_->Begin());
  core::Status s = engine_->Forget(name);
  if (s.ok()) s = db_->ResetSource(name);
  if (s.ok()) {
    s = db_->Commit();
  } else {
    db_->Rollback();
  }
  WEFT_RETURN_IF_ERROR(s);
  WEFT_RETURN_IF_ERROR(StopMismatchedViews(name, statement));
  run.snapshot_done = false;
  run.snapshot_rows = 0;
  run.stopped = false;
  if (engine_->TablesFor(name).empty()) {
    run.stopped = true;
    registry_.SourceStopped(name);
    run.log.Warn("every view of this source has stopped: not reading it any more");
    return core::Status::Ok();
  }
  run.awaiting_outbox = true;
  run.awaiting_logged = false;
  return StartAwaitingSources();
}

// A source read again after a schema change starts once its views' earlier document writes have
// all reached the sink: the reconciliation after its snapshot lists the sink, and a write queued
// before the snapshot that landed after that listing would bring back a document the snapshot did
// not produce (a row deleted meanwhile). At start the whole outbox drains first for the same reason.
core::Status Pipeline::StartAwaitingSources() {
  bool any = std::any_of(sources_.begin(), sources_.end(), [](const auto& kv) { return kv.second->awaiting_outbox; });
  if (!any) return core::Status::Ok();
  WEFT_ASSIGN_OR_RETURN(auto depth, db_->OutboxDepthByView());
  for (auto& [name, run] : sources_) {
    if (!run->awaiting_outbox) continue;
    int64_t pending = 0;
    for (const auto& view : config_.views) {
      if (view.source == name && !engine_->Stopped(view.name) && depth.count(view.name)) pending += depth[view.name];
    }
    if (pending > 0) {
      if (!run->awaiting_logged) {
        run->log.Info("waiting for " + std::to_string(pending) +
                      " document writes of its views to reach the sink before reading it again");
      }
      run->awaiting_logged = true;
      continue;
    }
    run->awaiting_outbox = false;
    WEFT_RETURN_IF_ERROR(StartSource(*run));
  }
  return core::Status::Ok();
}

void Pipeline::OnBatch(const std::string& source, SourceBatch&& batch) {
  if (phase_ == Phase::kDone) return;
  pending_.emplace_back(source, std::move(batch));
  // Apply in the idle phase: every batch that arrived in this loop iteration goes into one SQLite
  // transaction.
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(idle_))) uv_idle_start(idle_, &Pipeline::OnIdle);
}

void Pipeline::OnIdle(uv_idle_t* handle) {
  auto* self = static_cast<Pipeline*>(handle->data);
  uv_idle_stop(handle);
  self->ProcessPending();
}

void Pipeline::ProcessPending() {
  if (pending_.empty() || phase_ == Phase::kDone) return;
  core::Status status = ApplyPending();
  if (status.code() == core::Code::kAborted && stop_signalled_.load()) {
    log_.Warn("stop requested while the snapshot's documents were being built: that work is rolled back, and "
              "the next start takes the snapshot again");
    engine_->DiscardPending();
    status = core::Status::Ok();
  }
  if (!status.ok()) return Finish(status);
  CheckBackPressure();
  PumpWriters();
  MaybeAdvance();
}

core::Status Pipeline::ApplyPending() {
  auto batches = std::move(pending_);
  pending_.clear();
  const Clock::time_point apply_started = Clock::now();
  const uint64_t rows_before = figures_.rows_in;
  std::vector<view::PendingWrite> writes;
  std::map<std::string, std::string> offsets;
  int64_t oldest_change_ms = 0;  // commit time of the oldest change applied here, for the view delay
  feed_->Discard();
  WEFT_RETURN_IF_ERROR(db_->Begin());
  auto fail = [&](core::Status s) {
    db_->Rollback();
    feed_->Discard();
    return s;
  };
  // Moves `writes` into the outbox (inside the open transaction) and counts what went where.
  std::map<std::string, int64_t> appended, max_seq;  // per view; per sink
  int64_t appended_total = 0;
  auto append_writes = [&]() -> core::Status {
    if (writes.empty()) return core::Status::Ok();
    std::vector<state::OutboxEntry> entries;
    entries.reserve(writes.size());
    for (auto& w : writes) {
      if (w.write.doc && tracking_ids_.count(w.view)) {
        // Kept in the form the sink's Scan reports ids in, which the reconciliation compares with.
        WEFT_RETURN_IF_ERROR(state::AddSnapshotId(*db_, w.view, sinks_.at(w.sink)->writer->sink().ScanIdKey(w.write.id)));
      }
      state::OutboxEntry e;
      e.sink = std::move(w.sink);
      e.view = std::move(w.view);
      e.write = std::move(w.write);
      e.encoded_doc = std::move(w.encoded_doc);
      entries.push_back(std::move(e));
    }
    writes.clear();
    WEFT_RETURN_IF_ERROR(db_->AppendOutbox(&entries));
    for (const auto& e : entries) {
      ++appended[e.view];
      max_seq[e.sink] = std::max(max_seq[e.sink], e.seq);
    }
    appended_total += static_cast<int64_t>(entries.size());
    feed_->Stage(std::move(entries));  // handed to the writers in memory once committed
    return core::Status::Ok();
  };
  std::map<std::string, std::string> resnapshot;  // source -> the schema statement that needs it
  for (auto& [source, batch] : batches) {
    // A stop signal came while this group is applied: the rest stays unapplied and uncommitted
    // (the offset does not pass it, so it is read again after the restart).
    if (stop_signalled_.load()) break;
    // After a schema change on a view's table, the rest of that source's batches are read again.
    if (resnapshot.count(source)) continue;
    SourceRun& run = *sources_.at(source);
    if (!run.snapshotting &&
        (batch.kind == SourceBatch::Kind::kSnapshotRows || batch.kind == SourceBatch::Kind::kSnapshotDone)) {
      // The source lost its binlog position and (on_lost_position = "resnapshot") began a snapshot
      // of its own. Laid over the current state, it would keep the rows deleted in the lost stretch
      // and its reconciliation would know nothing of the documents it leaves unchanged: read the
      // source again from a clean state instead, as after a schema change.
      run.log.Warn("the source began a new snapshot after losing its binlog position: reading it again from a clean "
                   "state");
      resnapshot[source] = "its binlog position was lost";
      continue;
    }
    // Row changes are counted per run of one table (a snapshot chunk is one run), not one by one.
    const std::string* run_table = nullptr;
    uint64_t run_rows = 0;
    int64_t run_ts = 0;
    auto count_run = [&] {
      if (run_rows > 0) registry_.RowsApplied(source, *run_table, run_rows, run_ts);
      run_rows = 0;
    };
    for (const auto& change : batch.changes) {
      if (change.type == change::ChangeType::kDdl && run.source &&
          SchemaChangeTouchesViews(source, change, run.source->EffectOf(change))) {
        resnapshot[source] = change.statement;
        break;
      }
      core::Status s = engine_->ApplyChange(source, change);
      if (!s.ok()) return fail(s.WithContext("source " + source + ", table " + change.source.table));
      ++figures_.rows_in;
      if (change.ts_ms > 0) figures_.last_source_ts_ms = change.ts_ms;
      if (change.type != change::ChangeType::kDml) continue;
      if (run_rows > 0 && *run_table != change.source.table) count_run();
      run_table = &change.source.table;
      ++run_rows;
      if (change.ts_ms > 0) run_ts = change.ts_ms;
      if (change.ts_ms > 0 && (oldest_change_ms == 0 || change.ts_ms < oldest_change_ms)) oldest_change_ms = change.ts_ms;
    }
    count_run();
    if (resnapshot.count(source)) continue;  // its offset must not pass the schema change
    registry_.BatchReceived(source, SignalOf(batch.signal), !batch.changes.empty());
    if (batch.lag_bytes >= 0) registry_.SourceLag(source, batch.lag_bytes);
    if (batch.kind == SourceBatch::Kind::kSnapshotRows) {
      run.snapshot_rows += batch.changes.size();
      registry_.SnapshotProgress(source, batch.table, batch.table_rows_done, batch.table_rows_estimate);
    } else if (batch.kind == SourceBatch::Kind::kSnapshotDone) {
      engine_->DiscardPending();
      size_t built = 0;
      core::Status s = engine_->BuildAll(source, [&](view::PendingWrite&& w) {
        // Building every document of a big snapshot takes seconds: a stop signal ends it here.
        if (stop_signalled_.load()) return core::Aborted("stop requested");
        writes.push_back(std::move(w));
        ++built;
        // Into the outbox (same transaction) in chunks, so memory stays flat however many
        // documents the snapshot builds.
        return writes.size() >= kBuildChunk ? append_writes() : core::Status::Ok();
      });
      if (!s.ok()) return fail(s.WithContext("building the documents of source " + source));
      offsets[source] = batch.offset;
      run.snapshotting = false;
      run.snapshot_done = true;
      run.schema_retries = -1;
      registry_.SnapshotDone(source);
      ShowProgress(true);  // the last table's line before the summary
      double secs = SecondsSince(run.snapshot_started);
      char line[256];
      std::snprintf(line, sizeof line, "snapshot done: %llu rows in %.2f s (%.0f rows/s), %zu documents built; streaming from %s",
                    static_cast<unsigned long long>(run.snapshot_rows), secs, secs > 0 ? run.snapshot_rows / secs : 0.0,
                    built, batch.offset.c_str());
      run.log.Info(line);
    } else if (!batch.offset.empty()) {
      offsets[source] = batch.offset;
    }
  }
  // Into the outbox in chunks, as the snapshot's build does: a big group (a catch-up) touches
  // tens of thousands of documents.
  core::Status flushed = engine_->Flush([&](view::PendingWrite&& w) {
    writes.push_back(std::move(w));
    return writes.size() >= kBuildChunk ? append_writes() : core::Status::Ok();
  });
  if (!flushed.ok()) return fail(flushed);
  if (core::Status s = append_writes(); !s.ok()) return fail(s);
  for (const auto& [source, offset] : offsets) {
    core::Status s = db_->SetOffset(source, offset);
    if (!s.ok()) return fail(s);
  }
  for (const auto& [source, batch] : batches) {
    if (batch.kind != SourceBatch::Kind::kSnapshotDone) continue;
    for (const auto& view : config_.views) {
      if (view.source != source || engine_->Stopped(view.name)) continue;
      core::Status s = db_->SetMeta(UnreconciledKey(view.name), "1");  // until ReconcileView has run
      if (!s.ok()) return fail(s);
    }
  }
  const Clock::time_point commit_started = Clock::now();
  if (core::Status s = db_->Commit(); !s.ok()) return fail(s);
  feed_->Publish();
  if (core::LogEnabled(core::LogLevel::kDebug)) {
    // How the loop groups a catch-up: bigger groups rebuild a hot document once for many changes.
    log_.Debug("applied " + std::to_string(figures_.rows_in - rows_before) + " changes of " +
               std::to_string(batches.size()) + " batches, " + std::to_string(appended_total) +
               " document writes, in " + std::to_string(static_cast<int>(SecondsSince(apply_started) * 1000)) +
               " ms (commit " + std::to_string(static_cast<int>(SecondsSince(commit_started) * 1000)) +
               " ms); outbox depth " + std::to_string(figures_.outbox_depth + appended_total));
  }
  figures_.outbox_depth += appended_total;
  for (const auto& [view, n] : appended) registry_.OutboxAppended(view, n);
  for (const auto& [sink, seq] : max_seq) registry_.OutboxCommitted(sink, seq, oldest_change_ms);
  for (const auto& [source, offset] : offsets) registry_.OffsetCommitted(source, offset);
  for (const auto& [source, offset] : offsets) {
    if (sources_.at(source)->source) sources_.at(source)->source->Committed(offset);  // e.g. confirm it to the slot
  }
  for (const auto& [source, batch] : batches) {
    if (batch.kind != SourceBatch::Kind::kSnapshotDone) continue;
    for (const auto& view : config_.views) {
      // A stopped view built nothing: reconciling it would delete all its documents.
      if (view.source == source && !engine_->Stopped(view.name)) ReconcileView(view.name);
    }
  }
  // During a graceful stop the source is not read again: the next start meets the schema change
  // again (its offset was not committed past it).
  if (phase_ != Phase::kStopping) {
    for (const auto& [source, statement] : resnapshot) WEFT_RETURN_IF_ERROR(Resnapshot(source, statement));
  }
  return core::Status::Ok();
}

// After a snapshot commits, the sink may still hold documents the snapshot did not produce: left by
// an earlier run whose snapshot was interrupted, or of rows deleted while weft was not running from
// an offset. A Scan job runs on the writer thread after the writes queued before it; every id it
// finds that was not upserted since the snapshot started is deleted through the outbox. When the
// sink cannot be listed, the reconciliation is retried after a pause (the ids keep being tracked).
void Pipeline::ReconcileView(const std::string& view_name) {
  const config::ViewConfig& view = *config_.FindView(view_name);
  SinkRun& sink_run = *sinks_.at(view.sink);
  auto extras = std::make_shared<std::vector<sink::DocumentWrite>>();
  auto scan_status = std::make_shared<core::Status>();
  std::string sink_name = view.sink, collection = view.collection, source_name = view.source;
  uint64_t generation = sources_.at(view.source)->generation;
  tracking_ids_.insert(view_name);
  sink_run.writer->Post(
      [extras, scan_status, collection, view_name, state_path = db_->path()](sink::DocumentSink& sink,
                                                                             const core::Status& open) {
        if (!open.ok()) {
          *scan_status = open;
          return;
        }
        // The produced ids are looked up one by one as the sink is listed: nothing grows with the
        // number of documents but the list of those to delete. An in-memory state cannot be opened
        // twice: then every id is a candidate, and the loop thread keeps only those not produced.
        std::unique_ptr<state::SnapshotIdReader> reader;
        if (!state_path.empty() && state_path != ":memory:") {
          auto opened = state::SnapshotIdReader::Open(state_path);
          if (!opened.ok()) {
            *scan_status = opened.status();
            return;
          }
          reader = std::move(*opened);
        }
        core::Status lookup;
        *scan_status = sink.Scan(collection, [&](const change::Value& id, const std::string& id_key, const std::string&) {
          if (!lookup.ok()) return;
          auto produced = reader ? reader->Has(view_name, id_key) : core::Result<bool>(false);
          if (!produced.ok()) {
            lookup = produced.status();
            return;
          }
          if (*produced) return;
          sink::DocumentWrite w;
          w.collection = collection;
          w.id = id;
          w.id_key = id_key;
          extras->push_back(std::move(w));
        });
        if (scan_status->ok()) *scan_status = lookup;
      },
      [this, extras, scan_status, view_name, sink_name, source_name, generation]() {
        if (phase_ == Phase::kDone) return;
        // A schema change made the source read again since: that snapshot reconciles itself.
        if (sources_.at(source_name)->generation != generation) return;
        if (!scan_status->ok()) {
          core::Logger("view:" + view_name)
              .Warn("cannot list the sink's documents yet to remove those the snapshot did not produce (" +
                    scan_status->ToString() + "); retrying in 5 s");
          reconcile_retry_[view_name] = Clock::now() + std::chrono::seconds(5);
          return;
        }
        std::vector<state::OutboxEntry> deletes;
        core::Status s = core::Status::Ok();
        for (auto& w : *extras) {
          auto produced = state::HasSnapshotId(*db_, view_name, w.id_key);
          if (!produced.ok()) return Finish(produced.status());
          if (*produced) continue;  // upserted while scanning
          state::OutboxEntry e;
          e.sink = sink_name;
          e.view = view_name;
          e.write = std::move(w);
          deletes.push_back(std::move(e));
        }
        // The deletes, the end of the snapshot's unreconciled mark and of its recorded ids commit
        // together; no id is recorded after this (all on the loop thread).
        tracking_ids_.erase(view_name);
        s = db_->Begin();
        if (s.ok() && !deletes.empty()) s = db_->AppendOutbox(&deletes);
        if (s.ok()) s = state::ClearSnapshotIds(*db_, view_name);
        if (s.ok()) s = db_->SetMeta(UnreconciledKey(view_name), "0");
        if (s.ok()) {
          s = db_->Commit();
        } else {
          db_->Rollback();
        }
        if (!s.ok()) return Finish(s);
        if (!deletes.empty()) feed_->Invalidate(sink_name);  // not staged: the sink reads them back
        if (!deletes.empty()) {
          figures_.outbox_depth += static_cast<int64_t>(deletes.size());
          registry_.OutboxAppended(view_name, static_cast<int64_t>(deletes.size()));
          registry_.OutboxCommitted(sink_name, deletes.back().seq, 0);
          core::Logger("view:" + view_name)
              .Info("deleting " + std::to_string(deletes.size()) + " documents the snapshot did not produce");
        }
        CheckBackPressure();
        PumpWriters();
        MaybeAdvance();
      });
}

void Pipeline::PumpWriters() {
  if (phase_ == Phase::kDone) return;
  for (auto& [name, run] : sinks_) {
    if (run->in_flight || Clock::now() < run->retry_at) continue;
    SendBatch(*run);
  }
}

void Pipeline::SendBatch(SinkRun& run) {
  auto next = feed_->Next(run.name);
  if (!next.ok()) return Finish(next.status());
  std::shared_ptr<SentBatch> sent = std::move(*next);
  registry_.SinkPendingFrom(run.name, sent->entries.empty() ? std::nullopt
                                                            : std::optional<int64_t>(sent->seqs.front().front()));
  if (sent->entries.empty()) return;
  run.in_flight = true;
  SinkRun* run_ptr = &run;
  run.writer->Post(
      [sent](sink::DocumentSink& sink, const core::Status& open) {
        if (!open.ok()) {
          sent->status = open;
          return;
        }
        OutboxFeed::Write(sink, sent.get());  // bulk writes; decodes read-back documents here, off the loop
      },
      [this, run_ptr, sent]() {
        run_ptr->in_flight = false;
        OnWriteDone(*run_ptr, *sent);
      });
}

void Pipeline::OnWriteDone(SinkRun& run, const SentBatch& sent) {
  if (phase_ == Phase::kDone) return;
  const core::Logger& log = run.writer->log();
  auto back_off = [&](const std::string& why) {
    run.backoff_ms = run.backoff_ms == 0 ? kMinBackoffMs : std::min(kMaxBackoffMs, run.backoff_ms * 2);
    run.retry_at = Clock::now() + std::chrono::milliseconds(run.backoff_ms);
    if (!run.failing || run.backoff_ms == kMaxBackoffMs) {
      log.Warn(why + "; " + std::to_string(figures_.outbox_depth) + " writes held in the outbox, retrying in " +
               std::to_string(run.backoff_ms) + " ms");
    }
    run.failing = true;
    registry_.SinkFailing(run.name, why);
  };
  if (sent.corrupt) return Finish(sent.status);
  if (!sent.status.ok()) {
    feed_->Invalidate(run.name);  // the batch goes again, read back from the outbox
    back_off("write failed: " + sent.status.ToString());
    return;
  }
  std::vector<int64_t> done;
  std::vector<state::DeadLetter> letters;
  std::string retry_reason;
  uint64_t written = 0, deleted = 0;
  struct Acked {
    uint64_t written = 0, deleted = 0;
    int64_t removed = 0;
  };
  std::map<std::string, Acked> acked;  // per view
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  for (size_t i = 0; i < sent.entries.size(); ++i) {
    const auto& result = sent.results[i];
    const auto& entry = sent.entries[i];
    if (result.outcome == sink::Outcome::kRetry) {
      retry_reason = result.message;
      continue;
    }
    done.insert(done.end(), sent.seqs[i].begin(), sent.seqs[i].end());
    Acked& view_acked = acked[entry.view];
    view_acked.removed += static_cast<int64_t>(sent.seqs[i].size());
    if (result.outcome == sink::Outcome::kRejected) {
      letters.push_back({entry.view, entry.write.id_key, result.message, now_ms});
    } else if (entry.write.doc) {
      ++written;
      ++view_acked.written;
    } else {
      ++deleted;
      ++view_acked.deleted;
    }
  }
  core::Status s = db_->Begin();
  for (const auto& letter : letters) {
    if (s.ok()) s = db_->AddDeadLetter(letter);
  }
  if (s.ok() && !done.empty()) s = db_->RemoveOutbox(done);
  if (s.ok()) {
    s = db_->Commit();
  } else {
    db_->Rollback();
  }
  if (!s.ok()) return Finish(s);
  figures_.outbox_depth -= static_cast<int64_t>(done.size());
  figures_.docs_out += written + deleted;
  figures_.docs_deleted += deleted;
  for (const auto& [view, a] : acked) registry_.DocumentsAcked(view, a.written, a.deleted, a.removed);
  for (const auto& letter : letters) {
    ++figures_.dead_letters;
    registry_.DeadLettered(letter.view, 1);
    log.Error("view " + letter.view + ": document " + letter.id_key +
              " rejected by the sink, moved to the dead-letter table: " + letter.reason);
  }
  if (!retry_reason.empty()) {
    feed_->Invalidate(run.name);
    back_off("sink asked to retry (" + retry_reason + ")");
  } else {
    if (run.failing) log.Info("sink writes succeed again; outbox depth " + std::to_string(figures_.outbox_depth));
    run.failing = false;
    registry_.SinkOk(run.name);
    run.backoff_ms = 0;
    run.retry_at = {};
  }
  CheckBackPressure();
  PumpWriters();
  MaybeAdvance();
}

void Pipeline::CheckBackPressure() {
  int64_t limit = std::max<int64_t>(1, config_.state.outbox_limit);
  if (!paused_ && figures_.outbox_depth >= limit) {
    paused_ = true;
    log_.Warn("outbox holds " + std::to_string(figures_.outbox_depth) + " pending writes (outbox_limit " +
              std::to_string(limit) + "): pausing the sources until the sinks catch up");
    for (auto& [name, run] : sources_) if (run->source) run->source->Pause();
  } else if (paused_ && figures_.outbox_depth <= limit / 2) {
    paused_ = false;
    log_.Info("outbox down to " + std::to_string(figures_.outbox_depth) + ": resuming the sources");
    for (auto& [name, run] : sources_) if (run->source) run->source->Resume();
  }
}

void Pipeline::OnSourceStopped(const std::string& source, const core::Status& why) {
  SourceRun& run = *sources_.at(source);
  run.stopped = true;
  registry_.SourceStopped(source);
  if (why.ok() || why.code() == core::Code::kAborted) return MaybeAdvance();
  if (phase_ == Phase::kStopping || phase_ == Phase::kDone) return MaybeAdvance();
  // A snapshot taken because of a schema change can meet the next one (online schema change tools
  // run several in a row): the server then fails its read ("Table definition has changed", "Table
  // doesn't exist"). Check the views and read again.
  if (run.snapshotting && run.schema_retries >= 0 && run.schema_retries < kMaxSchemaRetries) {
    ++run.schema_retries;
    run.log.Warn("the snapshot after a schema change failed (" + why.message() + "): reading the source again (" +
                 std::to_string(run.schema_retries) + " of " + std::to_string(kMaxSchemaRetries) + ")");
    core::Status again = Resnapshot(source, run.schema_statement);
    if (!again.ok()) Finish(again);
    return;
  }
  run.log.Error("stopped: " + why.ToString());
  Finish(why.WithContext("source " + source));
}

void Pipeline::RequestStopFromSignal(int signum) {
  stop_signum_.store(signum);
  stop_signalled_.store(true);
  uv_async_send(stop_async_);
}

void Pipeline::RequestStop() {
  if (phase_ == Phase::kDone || phase_ == Phase::kStopping) return;
  log_.Info("stopping: finishing the batch in flight and flushing the outbox");
  phase_ = Phase::kStopping;
  stop_deadline_ = Clock::now() + std::chrono::seconds(kStopFlushSeconds);
  for (auto& [name, run] : sources_) if (run->source) run->source->Stop();
  ProcessPending();
  MaybeAdvance();
}

void Pipeline::MaybeAdvance() {
  bool writers_idle = std::all_of(sinks_.begin(), sinks_.end(), [](const auto& kv) {
    return !kv.second->in_flight && kv.second->writer->pending() == 0;
  });
  switch (phase_) {
    case Phase::kDrainingOutbox:
      if (figures_.outbox_depth == 0) {
        phase_ = Phase::kRunning;
        StartSources();
      }
      return;
    case Phase::kRunning:
      if (core::Status s = StartAwaitingSources(); !s.ok()) return Finish(s);
      if (options_.oneshot && !sources_.empty() &&
          std::all_of(sources_.begin(), sources_.end(), [](const auto& kv) { return kv.second->snapshot_done; })) {
        for (auto& [name, run] : sources_) if (run->source) run->source->Stop();
        ProcessPending();
        phase_ = Phase::kOneshotDraining;
        MaybeAdvance();
      }
      return;
    case Phase::kOneshotDraining:
      if (figures_.outbox_depth == 0 && writers_idle && tracking_ids_.empty() && pending_.empty()) {
        double secs = SecondsSince(started_);
        char line[320];
        std::snprintf(line, sizeof line,
                      "oneshot done in %.2f s: %llu source rows, %llu documents written, %llu dead letters",
                      secs, static_cast<unsigned long long>(figures_.rows_in),
                      static_cast<unsigned long long>(figures_.docs_out),
                      static_cast<unsigned long long>(figures_.dead_letters));
        log_.Info(line);
        std::printf("%s\n", line);
        std::fflush(stdout);
        Finish(core::Status::Ok());
      }
      return;
    case Phase::kStopping: {
      bool drained = figures_.outbox_depth == 0 && writers_idle;
      if (drained || Clock::now() >= stop_deadline_) {
        if (!drained) {
          log_.Warn(std::to_string(figures_.outbox_depth) +
                    " document writes stay in the outbox (the sink did not take them in time); the next start sends them");
        }
        Finish(core::Status::Ok());
      }
      return;
    }
    default:
      return;
  }
}

void Pipeline::ShowProgress(bool force) {
  bool snapshotting = std::any_of(sources_.begin(), sources_.end(), [](const auto& kv) { return kv.second->snapshotting; });
  if (!progress_ || (!snapshotting && !force)) return;
  progress_->Update(registry_.Snapshot(),
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count(), force);
}

// The figures outlive the process in the state DB, for `weft status` when weft is not running.
void Pipeline::PersistFigures() {
  last_persist_ = Clock::now();
  if (!db_ || db_->InTransaction()) return;
  core::Status s = db_->SetMeta(status::kFiguresMetaKey, status::ToJson(registry_.Snapshot()));
  if (!s.ok() && !persist_failed_) {
    persist_failed_ = true;
    log_.Warn("cannot save the status figures in the state DB (" + s.ToString() + "); `weft status` will show older ones");
  }
}

void Pipeline::Finish(const core::Status& status) {
  if (phase_ == Phase::kDone) return;
  phase_ = Phase::kDone;
  if (!status.ok()) log_.Error(status.ToString());
  for (auto& [name, run] : sources_) if (run->source) run->source->Stop();
  if (progress_) progress_->Clear();
  registry_.Stop();
  for (const auto& source : registry_.Snapshot().sources) {
    if (!source.offset.empty()) sources_.at(source.name)->log.Info("stopped at offset " + source.offset);
  }
  PersistFigures();
  if (timer_) uv_timer_stop(timer_);
  if (idle_) uv_idle_stop(idle_);
  if (on_finished_) {
    auto handler = std::move(on_finished_);
    on_finished_ = nullptr;
    handler(status);
  }
}

}  // namespace weft::pipeline
