// Pipeline members that apply the batches that arrived, as one state transaction per group.
#include "pipeline/pipeline_runs.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "pipeline/change_records.h"
#include "pipeline/write_stream.h"
#include "state/snapshot_ids.h"
#include "state/transaction.h"

namespace weft::pipeline {

void Pipeline::OnBatch(const std::string& source, SourceBatch&& batch) {
  if (phase_ == Phase::kDone) return;
  pending_.emplace_back(source, std::move(batch));
  // Apply in the idle phase: every batch that arrived in this loop iteration goes into one SQLite
  // transaction.
  idle_.Start();  // runs ProcessPending once (pipeline.cpp Start)
}

void Pipeline::ProcessPending() {
  // With no batch, a group still builds the roots that waited for the sinks (and commits their
  // offsets): OnWriteDone, a stop.
  if ((pending_.empty() && !waiting_for_sinks_) || phase_ == Phase::kDone) return;
  core::Status status = ApplyPending();
  if (status.code() == core::Code::kAborted && stop_signalled_.load()) {
    log_.Warn("stop requested while documents were being built: that group is rolled back, and the next start "
              "reads it again (a snapshot in it is taken again)");
    engine_->DiscardPending();
    withheld_offsets_.clear();  // their roots are gone: the restart reads from the committed offset
    waiting_for_sinks_ = false;
    coalesced_changes_ = 0;
    status = core::Status::Ok();
  }
  if (!status.ok()) return Finish(status);
  CheckBackPressure();
  PumpWriters();
  MaybeAdvance();
}

// What one group accumulates while its batches are applied, inside its one state transaction.
struct Pipeline::Group {
  std::vector<std::pair<std::string, SourceBatch>> batches;
  std::vector<view::PendingWrite> writes;        // built, not yet in the outbox (at most kBuildChunk)
  std::map<std::string, std::string> offsets;    // source -> offset to commit
  std::map<std::string, std::string> resnapshot;  // source -> the schema statement that needs it
  std::map<std::string, int64_t> appended;       // view -> outbox entries added
  std::map<std::string, int64_t> max_seq;        // sink -> highest outbox seq added
  int64_t appended_total = 0;
  int64_t direct_total = 0;      // documents the sinks took while they were built (FlushGroup)
  int64_t oldest_change_ms = 0;  // commit time of the oldest change applied here, for the view delay
};

core::Status Pipeline::ApplyPending() {
  Group group;
  group.batches = std::move(pending_);
  pending_.clear();
  const Clock::time_point apply_started = Clock::now();
  const uint64_t rows_before = figures_.rows_in;
  feed_->Discard();
  WEFT_ASSIGN_OR_RETURN(auto tx, state::Transaction::Begin(*db_));
  // Every failure below rolls the group back (tx's scope) and drops what it staged for the writers.
  auto fail = [&](core::Status s) {
    tx.Rollback();
    feed_->Discard();
    return s;
  };
  for (auto& [source, batch] : group.batches) {
    // A stop signal came while this group is applied: the rest stays unapplied and uncommitted
    // (the offset does not pass it, so it is read again after the restart).
    if (stop_signalled_.load()) break;
    if (core::Status s = ApplyBatch(group, source, batch); !s.ok()) return fail(s);
  }
  // Into the outbox in chunks, as the snapshot's build does: a big group (a catch-up) touches
  // tens of thousands of documents. A group that commits no offset (it ends inside a source
  // transaction delivered in parts) leaves its documents to the group that ends the transaction,
  // so a document the transaction touches in every part is built once, not once per part. That is
  // safe because no offset passes the transaction until then: a crash or stop before it replays the
  // transaction whole. The roots recorded so far are saved with the state (state/pending_roots.h):
  // a replayed change that finds its row already as it made it records none. They also wait in
  // memory, so they are built anyway once they reach kMaxDeferredRoots.
  //
  // A big group also waits while a sink still has older writes pending (the last group's outbox
  // entries, a batch in flight): its documents could then not go to that sink while they are built
  // (pipeline/write_stream.h), and they would all pass the outbox. Its offsets are withheld, so
  // the same replay argument holds, and the first group after the sinks are idle (OnWriteDone
  // starts an empty one if no batch comes) builds every waiting root and commits them.
  const bool may_defer = !stop_signalled_.load() && phase_ != Phase::kStopping &&
                         engine_->PendingSize() < kMaxDeferredRoots;
  const bool ends_inside_transaction = !group.batches.empty() && group.offsets.empty();
  // A group that commits an offset may still wait, for a sink or a catch-up's build, but only with
  // one source: a snapshot of another source discards every pending root (BuildSnapshot), and the
  // withheld offsets must never commit without their roots built.
  const bool may_wait = may_defer && !ends_inside_transaction && group.resnapshot.empty() && sources_.size() == 1 &&
                        !AnySourceSnapshotting();
  const bool wait_for_sinks = may_wait && engine_->PendingSize() >= options_.direct_write_min_roots && !SinksIdle();
  // A catch-up (pipeline.h, coalesce_changes): a full group of streamed changes only (a group that
  // ends a snapshot commits its offset).
  const size_t group_changes = static_cast<size_t>(figures_.rows_in - rows_before);
  const bool streamed_only = std::all_of(group.batches.begin(), group.batches.end(), [](const auto& b) {
    return b.second.kind == SourceBatch::Kind::kTransaction;
  });
  const bool coalesce = may_wait && streamed_only && options_.coalesce_min_group_changes > 0 &&
                        group_changes >= options_.coalesce_min_group_changes &&
                        coalesced_changes_ + group_changes < options_.coalesce_changes;
  const bool defer = may_defer && (ends_inside_transaction || wait_for_sinks || coalesce);
  std::map<std::string, std::string> withhold;  // what withheld_offsets_ becomes once this group commits
  if (defer) {
    engine_->ForgetWalks();  // only the roots wait: memory grows with documents, not with changes
    if (core::Status s = engine_->SavePending(); !s.ok()) return fail(s);  // a replay would not record them
    withhold = withheld_offsets_;
    for (auto& [source, offset] : group.offsets) withhold[source] = std::move(offset);
    group.offsets.clear();
  } else {
    for (const auto& [source, offset] : withheld_offsets_) group.offsets.emplace(source, offset);  // a later one wins
    if (core::Status s = FlushGroup(group); !s.ok()) return fail(s);
  }
  if (core::Status s = AppendWrites(group); !s.ok()) return fail(s);
  for (const auto& [source, offset] : group.offsets) {
    if (core::Status s = db_->SetOffset(source, offset); !s.ok()) return fail(s);
  }
  for (const auto& [source, batch] : group.batches) {
    if (batch.kind != SourceBatch::Kind::kSnapshotDone) continue;
    for (const auto& view : config_.views) {
      if (view.source != source || engine_->Stopped(view.name)) continue;
      // Until ReconcileView has run.
      if (core::Status s = db_->SetMeta(UnreconciledKey(view.name), "1"); !s.ok()) return fail(s);
    }
  }
  const Clock::time_point commit_started = Clock::now();
  if (core::Status s = tx.Commit(); !s.ok()) return fail(s);
  feed_->Publish();
  withheld_offsets_ = std::move(withhold);
  waiting_for_sinks_ = !withheld_offsets_.empty();
  coalesced_changes_ = defer ? coalesced_changes_ + group_changes : 0;
  // The next loop iteration runs a group even when no batch comes: a catch-up's last full group
  // must not leave its documents waiting for a change that may never come.
  if (coalesce) idle_.Start();
  for (auto& [name, run] : sources_) {
    if (run->source && group.offsets.count(name)) run->source->Committed(group.offsets.at(name));
  }
  if (core::LogEnabled(core::LogLevel::kDebug)) {
    // How the loop groups a catch-up: bigger groups rebuild a hot document once for many changes.
    log_.Debug("applied " + std::to_string(figures_.rows_in - rows_before) + " changes of " +
               std::to_string(group.batches.size()) + " batches, " + std::to_string(group.appended_total) +
               " writes into the outbox and " + std::to_string(group.direct_total) + " written directly, in " +
               std::to_string(static_cast<int>(SecondsSince(apply_started) * 1000)) + " ms (commit " + std::to_string(static_cast<int>(SecondsSince(commit_started) * 1000)) +
               " ms); outbox depth " + std::to_string(figures_.outbox_depth + group.appended_total));
  }
  figures_.outbox_depth += group.appended_total;
  for (const auto& [view, n] : group.appended) registry_.OutboxAppended(view, n);
  for (const auto& [sink, seq] : group.max_seq) registry_.OutboxCommitted(sink, seq, group.oldest_change_ms);
  for (const auto& [source, offset] : group.offsets) registry_.OffsetCommitted(source, offset);
  for (const auto& [source, batch] : group.batches) {
    if (batch.kind != SourceBatch::Kind::kSnapshotDone) continue;
    for (const auto& view : config_.views) {
      // A stopped view built nothing: reconciling it would delete all its documents.
      if (view.source == source && !engine_->Stopped(view.name)) ReconcileView(view.name);
    }
  }
  // During a graceful stop the source is not read again: the next start meets the schema change
  // again (its offset was not committed past it).
  if (phase_ != Phase::kStopping) {
    for (const auto& [source, statement] : group.resnapshot) WEFT_RETURN_IF_ERROR(Resnapshot(source, statement));
  }
  return core::Status::Ok();
}

core::Status Pipeline::ApplyBatch(Group& group, const std::string& source, SourceBatch& batch) {
  // After a schema change on a view's table, the rest of that source's batches are read again.
  if (group.resnapshot.count(source)) return core::Status::Ok();
  SourceRun& run = *sources_.at(source);
  if (!run.snapshotting &&
      (batch.kind == SourceBatch::Kind::kSnapshotRows || batch.kind == SourceBatch::Kind::kSnapshotDone)) {
    // The source lost its position and (on_lost_position = "resnapshot") began a snapshot of its
    // own. Laid over the current state, it would keep the rows deleted in the lost stretch and its
    // reconciliation would know nothing of the documents it leaves unchanged: read the source again
    // from a clean state instead, as after a schema change.
    run.log.Warn("the source began a new snapshot after losing its position: reading it again from a clean state");
    group.resnapshot[source] = "its position was lost";
    return core::Status::Ok();
  }
  // Row changes are counted per run of one table (a snapshot chunk is one run), not one by one.
  const std::string* run_table = nullptr;
  uint64_t run_rows = 0;
  int64_t run_ts = 0;
  auto count_run = [&] {
    if (run_rows > 0) registry_.RowsApplied(source, *run_table, run_rows, run_ts);
    run_rows = 0;
  };
  auto published = change_sinks_.find(source);
  const std::vector<std::string>* change_sinks = published == change_sinks_.end() ? nullptr : &published->second;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const auto& change : batch.changes) {
    if (change.type == change::ChangeType::kDdl && run.source &&
        SchemaChangeTouchesViews(source, change, run.source->EffectOf(change))) {
      group.resnapshot[source] = change.statement;
      break;
    }
    core::Status s = engine_->ApplyChange(source, change);
    if (!s.ok()) return s.WithContext("source " + source + ", table " + change.source.table);
    if (change_sinks != nullptr) {
      // The change records join this group's outbox appends, so they commit with its offset.
      std::vector<view::PendingWrite> records;
      AddChangeRecords(*change_sinks, source, change, now_ms, &records);
      for (auto& w : records) WEFT_RETURN_IF_ERROR(AddWrite(group, std::move(w)));
    }
    ++figures_.rows_in;
    if (change.ts_ms > 0) figures_.last_source_ts_ms = change.ts_ms;
    if (change.type != change::ChangeType::kDml) continue;
    if (run_rows > 0 && *run_table != change.source.table) count_run();
    run_table = &change.source.table;
    ++run_rows;
    if (change.ts_ms > 0) run_ts = change.ts_ms;
    if (change.ts_ms > 0 && (group.oldest_change_ms == 0 || change.ts_ms < group.oldest_change_ms)) {
      group.oldest_change_ms = change.ts_ms;
    }
  }
  count_run();
  if (group.resnapshot.count(source)) return core::Status::Ok();  // its offset must not pass the schema change
  registry_.BatchReceived(source, SignalOf(batch.signal), !batch.changes.empty());
  if (batch.lag_bytes >= 0) registry_.SourceLag(source, batch.lag_bytes);
  if (batch.kind == SourceBatch::Kind::kSnapshotRows) {
    run.snapshot_rows += batch.changes.size();
    registry_.SnapshotProgress(source, batch.table, batch.table_rows_done, batch.table_rows_estimate);
  } else if (batch.kind == SourceBatch::Kind::kSnapshotDone) {
    return BuildSnapshot(group, run, batch);
  } else if (!batch.offset.empty()) {
    group.offsets[source] = batch.offset;
  }
  return core::Status::Ok();
}

// The documents of the roots the group's changes touched. A big group's go to the sinks while they
// are built, to each sink that has nothing older pending (pipeline/write_stream.h says why they may
// skip the outbox); a small group's, and what a sink does not take, go into the group's outbox, so
// the live path never waits for a sink on the loop thread.
core::Status Pipeline::FlushGroup(Group& group) {
  std::map<std::string, WriteStream::Target> targets;
  if (engine_->PendingSize() >= options_.direct_write_min_roots && !AnySourceSnapshotting()) {
    for (auto& [name, run] : sinks_) {
      if (SinkIdle(*run)) targets[name] = {run->writer.get(), static_cast<size_t>(std::max(1, run->config.batch_size))};
    }
  }
  WriteStream stream(std::move(targets), &stop_signalled_,
                     [&](view::PendingWrite&& w) { return AddWrite(group, std::move(w)); });
  // A change that fans out to tens of thousands of documents keeps Flush busy for seconds (more
  // under the sanitizers): a stop signal ends it here, and the group is rolled back.
  core::Status s = engine_->Flush([&](view::PendingWrite&& w) {
    if (stop_signalled_.load()) return core::Aborted("stop requested");
    if (!stream.has_target(w.sink)) return AddWrite(group, std::move(w));
    NotePreview(w);
    WEFT_RETURN_IF_ERROR(RecordProduced(w));
    return stream.Add(std::move(w));
  });
  if (s.ok()) s = stream.Finish();
  WEFT_RETURN_IF_ERROR(s);
  group.direct_total += static_cast<int64_t>(CountDirectWrites(stream));
  return core::Status::Ok();
}

bool Pipeline::SinkIdle(const SinkRun& run) const {
  return !run.in_flight && !run.failing && Clock::now() >= run.retry_at && feed_->Idle(run.name);
}

bool Pipeline::SinksIdle() const {
  return std::all_of(sinks_.begin(), sinks_.end(), [&](const auto& kv) { return SinkIdle(*kv.second); });
}

bool Pipeline::AnySourceSnapshotting() const {
  return std::any_of(sources_.begin(), sources_.end(), [](const auto& kv) { return kv.second->snapshotting; });
}

uint64_t Pipeline::CountDirectWrites(const WriteStream& stream) {
  uint64_t total = 0;
  for (const auto& [view, acked] : stream.acked()) {
    total += acked.upserts + acked.deletes;
    figures_.docs_out += acked.upserts + acked.deletes;
    figures_.docs_deleted += acked.deletes;
    registry_.DocumentsAcked(view, acked.upserts, acked.deletes, 0);
  }
  return total;
}

// The snapshot's documents go to the sinks while they are built (pipeline/write_stream.h says
// why they may skip the outbox); what a sink does not take goes into the outbox of this group.
core::Status Pipeline::BuildSnapshot(Group& group, SourceRun& run, const SourceBatch& batch) {
  engine_->DiscardPending();
  std::map<std::string, WriteStream::Target> targets;
  for (auto& [name, sink_run] : sinks_) {
    targets[name] = {sink_run->writer.get(), static_cast<size_t>(std::max(1, sink_run->config.batch_size))};
  }
  WriteStream stream(std::move(targets), &stop_signalled_,
                     [&](view::PendingWrite&& w) { return AddWrite(group, std::move(w)); });
  size_t built = 0;
  core::Status s = engine_->BuildAll(run.name, [&](view::PendingWrite&& w) {
    // Building every document of a big snapshot takes seconds: a stop signal ends it here.
    if (stop_signalled_.load()) return core::Aborted("stop requested");
    ++built;
    NotePreview(w);
    WEFT_RETURN_IF_ERROR(RecordProduced(w));
    return stream.Add(std::move(w));
  });
  if (s.ok()) s = stream.Finish();
  if (!s.ok()) return s.WithContext("building the documents of source " + run.name);
  CountDirectWrites(stream);
  group.offsets[run.name] = batch.offset;
  run.snapshotting = false;
  run.snapshot_done = true;
  run.schema_retries = -1;
  registry_.SnapshotDone(run.name);
  ShowProgress(true);  // the last table's line before the summary
  double secs = SecondsSince(run.snapshot_started);
  char line[256];
  std::snprintf(line, sizeof line, "snapshot done: %llu rows in %.2f s (%.0f rows/s), %zu documents built; streaming from %s",
                static_cast<unsigned long long>(run.snapshot_rows), secs, secs > 0 ? run.snapshot_rows / secs : 0.0,
                built, batch.offset.c_str());
  run.log.Info(line);
  return core::Status::Ok();
}

// An upsert of a view whose snapshot is being reconciled: its id is recorded in the state DB, in the
// form the sink's Scan reports ids in, which the reconciliation compares with (idempotent).
core::Status Pipeline::RecordProduced(const view::PendingWrite& w) {
  if (!w.write.doc || !tracking_ids_.count(w.view)) return core::Status::Ok();
  return state::AddSnapshotId(*db_, w.view, sinks_.at(w.sink)->writer->sink().ScanIdKey(w.write.id));
}

// The dashboard's preview of the view (status/preview.h) sees every write as it is built. A snapshot
// write that its stream hands back to the outbox is noted twice: the same document, harmless.
void Pipeline::NotePreview(const view::PendingWrite& w) {
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  previews_.Record(w.view, w.write.id_key, w.write.doc ? &w.encoded_doc : nullptr, now_ms);
}

core::Status Pipeline::AddWrite(Group& group, view::PendingWrite&& write) {
  group.writes.push_back(std::move(write));
  return group.writes.size() >= kBuildChunk ? AppendWrites(group) : core::Status::Ok();
}

// Moves the group's built writes into the outbox (inside the open transaction) and counts what
// went where.
core::Status Pipeline::AppendWrites(Group& group) {
  if (group.writes.empty()) return core::Status::Ok();
  std::vector<state::OutboxEntry> entries;
  entries.reserve(group.writes.size());
  for (auto& w : group.writes) {
    NotePreview(w);
    WEFT_RETURN_IF_ERROR(RecordProduced(w));
    state::OutboxEntry e;
    e.sink = std::move(w.sink);
    e.view = std::move(w.view);
    e.write = std::move(w.write);
    e.encoded_doc = std::move(w.encoded_doc);
    entries.push_back(std::move(e));
  }
  group.writes.clear();
  WEFT_RETURN_IF_ERROR(db_->AppendOutbox(&entries));
  for (const auto& e : entries) {
    ++group.appended[e.view];
    group.max_seq[e.sink] = std::max(group.max_seq[e.sink], e.seq);
  }
  group.appended_total += static_cast<int64_t>(entries.size());
  feed_->Stage(std::move(entries));  // handed to the writers in memory once committed
  return core::Status::Ok();
}

}  // namespace weft::pipeline
