// Pipeline: start, the phases (drain the outbox, run, oneshot, stop), figures and finish.
#include "pipeline/pipeline_runs.h"

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "status/figures.h"

namespace weft::pipeline {

Pipeline::Pipeline(config::Config config, PipelineOptions options, PipelineFactories factories, uv_loop_t* loop)
    : config_(std::move(config)), options_(options), factories_(std::move(factories)), loop_(loop) {
  // Initialised here, not in Start: a signal may come before Start (RequestStopFromSignal).
  handles_status_ = stop_async_.Init(loop_, [this] {
    core::Log(core::LogLevel::kInfo, "weft", stop_signum_.load() == SIGINT ? "SIGINT received" : "SIGTERM received");
    RequestStop();
  });
}

Pipeline::~Pipeline() {
  for (auto& [name, run] : sources_) if (run->source) run->source->Stop();
  sources_.clear();
  for (auto& [name, run] : sinks_) if (run->writer) run->writer->Stop();
  // idle_, timer_ and stop_async_ close with their owners (loop/uv_handles.h).
}

core::Status Pipeline::Start(FinishedHandler on_finished) {
  on_finished_ = std::move(on_finished);
  started_ = Clock::now();
  WEFT_RETURN_IF_ERROR(handles_status_);
  // Before anything is written: a view naming a table or column the source lacks is a config error.
  WEFT_RETURN_IF_ERROR(ValidateViewsAtStart());
  WEFT_ASSIGN_OR_RETURN(db_, state::StateDb::Open(config_.state.path));
  feed_ = std::make_unique<OutboxFeed>(db_.get());
  WEFT_ASSIGN_OR_RETURN(engine_, view::ViewEngine::Create(config_, db_.get()));

  // The sinks views write to, and those that publish a source's change records (change_records.h).
  std::vector<std::pair<std::string, std::string>> sink_users;  // sink, who names it
  for (const auto& view : config_.views) sink_users.emplace_back(view.sink, "view " + view.name);
  for (const auto& sink : config_.sinks) {
    for (const auto& source : sink.change_sources) {
      sink_users.emplace_back(sink.name, "sink " + sink.name);
      change_sinks_[source].push_back(sink.name);
    }
  }
  for (const auto& [sink_name, user] : sink_users) {
    if (sinks_.count(sink_name)) continue;
    const config::SinkConfig* sink_config = config_.FindSink(sink_name);
    if (!sink_config) return core::NotFound(user + ": sink '" + sink_name + "' is not defined");
    WEFT_ASSIGN_OR_RETURN(auto sink, factories_.make_sink(*sink_config));
    auto run = std::make_unique<SinkRun>();
    run->name = sink_name;
    run->config = *sink_config;
    WEFT_ASSIGN_OR_RETURN(run->writer, SinkWriter::Start(sink_name, std::move(sink), loop_));
    feed_->AddSink(sink_name, static_cast<size_t>(std::max(1, sink_config->batch_size)));
    sinks_[sink_name] = std::move(run);
  }
  for (const auto& view : config_.views) {
    const config::SourceConfig* source_config = config_.FindSource(view.source);
    if (!source_config) return core::NotFound("view " + view.name + ": source '" + view.source + "' is not defined");
    if (!sources_.count(view.source)) sources_[view.source] = std::make_unique<SourceRun>(view.source, source_config->kind);
    registry_.AddSource(view.source, source_config->kind);
  }

  WEFT_ASSIGN_OR_RETURN(figures_.outbox_depth, db_->OutboxDepth());
  WEFT_ASSIGN_OR_RETURN(auto backlog, db_->OutboxDepthByView());
  for (const auto& view : config_.views) {
    std::vector<std::string> tables = {view.root};
    for (const auto& lookup : view.lookups) tables.push_back(lookup.table);
    registry_.AddView(view.name, view.source, view.sink, view.collection, tables);
    WEFT_ASSIGN_OR_RETURN(int64_t dead, db_->DeadLetterCount(view.name));
    registry_.SetViewBacklog(view.name, backlog.count(view.name) ? backlog[view.name] : 0, static_cast<uint64_t>(dead));
    WEFT_ASSIGN_OR_RETURN(auto letters, db_->LatestDeadLetters(view.name, status::kLatestDeadLetters));
    std::vector<status::DeadLetterNote> notes;
    for (auto& letter : letters) notes.push_back({std::move(letter.id_key), std::move(letter.reason), letter.time_ms});
    registry_.SetLatestDeadLetters(view.name, std::move(notes));
    previews_.AddView(view.name, view.is_aggregate() ? status::PreviewBuffer::Kind::kAggregate
                                                     : status::PreviewBuffer::Kind::kWide);
  }
  progress_ = std::make_unique<status::ProgressDisplay>(options_.progress_bars);
  last_persist_ = Clock::now();
  WEFT_RETURN_IF_ERROR(idle_.Init(loop_, [this] {
    idle_.Stop();
    ProcessPending();
  }));
  WEFT_RETURN_IF_ERROR(timer_.Init(loop_));
  WEFT_RETURN_IF_ERROR(timer_.Start(kTickMs, kTickMs, [this] { OnTick(); }));

  if (figures_.outbox_depth > 0) {
    log_.Info("draining " + std::to_string(figures_.outbox_depth) +
              " document writes left in the outbox by the last run before reading the sources");
  }
  PumpWriters();
  MaybeAdvance();
  return core::Status::Ok();
}

// Every kTickMs: reconciliations due again, sink retries after back-off, phase changes, progress.
void Pipeline::OnTick() {
  for (auto it = reconcile_retry_.begin(); it != reconcile_retry_.end();) {
    if (Clock::now() < it->second) {
      ++it;
      continue;
    }
    std::string view = it->first;
    it = reconcile_retry_.erase(it);
    ReconcileView(view);
  }
  PumpWriters();
  MaybeAdvance();
  if (phase_ == Phase::kDone) return;
  ShowProgress(false);
  if (Clock::now() - last_persist_ >= kPersistFiguresEvery) PersistFigures();
}

void Pipeline::RequestStopFromSignal(int signum) {
  stop_signum_.store(signum);
  stop_signalled_.store(true);
  stop_async_.Send();  // uv_async_send: async-signal-safe
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
        // Roots the last run committed without building them: built now, batch or not.
        if (engine_->PendingSize() > 0) {
          waiting_for_sinks_ = true;
          idle_.Start();
        }
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
        std::string summary = line;
        if (figures_.changes_out > 0) summary += ", " + std::to_string(figures_.changes_out) + " change records published";
        log_.Info(summary);
        std::printf("%s\n", summary.c_str());
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
  timer_.Stop();
  idle_.Stop();
  if (on_finished_) {
    auto handler = std::move(on_finished_);
    on_finished_ = nullptr;
    handler(status);
  }
}

}  // namespace weft::pipeline
