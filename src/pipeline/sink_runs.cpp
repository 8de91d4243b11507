// Pipeline members that move the outbox to the sink writers and take their acknowledgements.
#include "pipeline/pipeline_runs.h"

#include <algorithm>

#include "pipeline/change_records.h"
#include "state/transaction.h"

namespace weft::pipeline {

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
  uint64_t written = 0, deleted = 0, changes = 0;
  struct Acked {
    uint64_t written = 0, deleted = 0, changes = 0;
    int64_t removed = 0;
  };
  std::map<std::string, Acked> acked;  // per view
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  for (size_t i = 0; i < sent.entries.size(); ++i) {
    const auto& result = sent.results[i];
    const auto& entry = sent.entries[i];
    if (result.outcome == sink::Outcome::kRetry) {
      if (retry_reason.empty()) retry_reason = result.message;  // the first: later ones may only follow it
      continue;
    }
    done.insert(done.end(), sent.seqs[i].begin(), sent.seqs[i].end());
    Acked& view_acked = acked[entry.view];
    view_acked.removed += static_cast<int64_t>(sent.seqs[i].size());
    if (result.outcome == sink::Outcome::kRejected) {
      letters.push_back({entry.view, entry.write.id_key, result.message, now_ms});
    } else if (IsChangeRecordsView(entry.view)) {
      ++changes;  // not a document: counted apart
    } else if (entry.write.doc) {
      ++written;
      ++view_acked.written;
    } else {
      ++deleted;
      ++view_acked.deleted;
    }
  }
  core::Status s = [&]() -> core::Status {
    WEFT_ASSIGN_OR_RETURN(auto tx, state::Transaction::Begin(*db_));
    for (const auto& letter : letters) WEFT_RETURN_IF_ERROR(db_->AddDeadLetter(letter));
    if (!done.empty()) WEFT_RETURN_IF_ERROR(db_->RemoveOutbox(done));
    return tx.Commit();
  }();
  if (!s.ok()) return Finish(s);
  figures_.outbox_depth -= static_cast<int64_t>(done.size());
  figures_.docs_out += written + deleted;
  figures_.docs_deleted += deleted;
  figures_.changes_out += changes;
  for (const auto& [view, a] : acked) registry_.DocumentsAcked(view, a.written, a.deleted, a.removed);
  for (const auto& letter : letters) {
    ++figures_.dead_letters;
    registry_.DeadLettered(letter.view, 1);
    registry_.DeadLetterNoted(letter.view, {letter.id_key, letter.reason, letter.time_ms});
    log.Error((IsChangeRecordsView(letter.view) ? letter.view + ": the change record of row " + letter.id_key
                                                : "view " + letter.view + ": document " + letter.id_key) +
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
  // The roots that waited for the sinks are built now, with or without a new batch.
  if (waiting_for_sinks_ && SinksIdle()) idle_.Start();
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

}  // namespace weft::pipeline
