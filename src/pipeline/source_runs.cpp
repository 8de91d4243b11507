// Pipeline members that start, stop and re-read sources.
#include "pipeline/pipeline_runs.h"

#include <algorithm>

#include "state/snapshot_ids.h"
#include "state/transaction.h"

namespace weft::pipeline {

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
      {
        WEFT_ASSIGN_OR_RETURN(auto tx, state::Transaction::Begin(*db_));
        WEFT_RETURN_IF_ERROR(engine_->Forget(name));
        for (const auto& view : config_.views) {
          if (view.source != name || engine_->Stopped(view.name)) continue;
          WEFT_RETURN_IF_ERROR(state::ClearSnapshotIds(*db_, view.name));  // left by a snapshot never reconciled
          tracking_ids_.insert(view.name);
        }
        WEFT_RETURN_IF_ERROR(tx.Commit());
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
  {
    WEFT_ASSIGN_OR_RETURN(auto tx, state::Transaction::Begin(*db_));
    WEFT_RETURN_IF_ERROR(engine_->Forget(name));
    WEFT_RETURN_IF_ERROR(db_->ResetSource(name));
    WEFT_RETURN_IF_ERROR(tx.Commit());
  }
  withheld_offsets_.erase(name);  // its waiting roots are forgotten too: it is read again
  coalesced_changes_ = 0;
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

}  // namespace weft::pipeline
