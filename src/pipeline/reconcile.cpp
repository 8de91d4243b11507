// Pipeline::ReconcileView: after a snapshot, the sink's documents it did not produce are deleted.
#include "pipeline/pipeline_runs.h"

#include "state/snapshot_ids.h"
#include "state/transaction.h"

namespace weft::pipeline {

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
        s = [&]() -> core::Status {
          WEFT_ASSIGN_OR_RETURN(auto tx, state::Transaction::Begin(*db_));
          if (!deletes.empty()) WEFT_RETURN_IF_ERROR(db_->AppendOutbox(&deletes));
          WEFT_RETURN_IF_ERROR(state::ClearSnapshotIds(*db_, view_name));
          WEFT_RETURN_IF_ERROR(db_->SetMeta(UnreconciledKey(view_name), "0"));
          return tx.Commit();
        }();
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

}  // namespace weft::pipeline
