#include "status/registry.h"

#include <algorithm>
#include <chrono>

namespace weft::status {

Clock Clock::System() {
  return Clock{[] {
                 return std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
               },
               [] {
                 return std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch()).count();
               }};
}

struct Registry::SourceRec {
  SourceFigures fig;
  RateMeter rows;
  std::vector<RateMeter> table_rates;      // parallel to fig.snapshot_tables
  std::vector<int64_t> table_started;      // steady ms, parallel to fig.snapshot_tables
  int64_t heard_steady = 0;   // last batch of any kind
  int64_t heard_wall = 0;
  int64_t applied_lag_ms = 0;  // when the last change was applied: wall time minus its commit time
  int64_t last_table_update_ms = 0;  // steady; the snapshot's start, then its last progress
  bool retrying = false;
  bool stopped = false;
  explicit SourceRec(int64_t steady) : rows(steady) {}
};

struct Registry::ViewRec {
  ViewFigures fig;
  bool stopped = false;
  RateMeter rows;
  RateMeter docs;
  explicit ViewRec(int64_t steady) : rows(steady), docs(steady) {}
};

Registry::Registry(Clock clock) : clock_(std::move(clock)) { process_.started_ms = clock_.wall_ms(); }

Registry::~Registry() = default;

void Registry::SetProcess(std::string version, int64_t pid, std::string config_path, std::string state_db_path) {
  process_.version = std::move(version);
  process_.pid = pid;
  process_.config_path = std::move(config_path);
  process_.state_db_path = std::move(state_db_path);
}

Registry::SourceRec* Registry::FindSource(const std::string& name) {
  for (auto& s : sources_) if (s->fig.name == name) return s.get();
  return nullptr;
}

Registry::ViewRec* Registry::FindView(const std::string& name) {
  for (auto& v : views_) if (v->fig.name == name) return v.get();
  return nullptr;
}

void Registry::AddSource(const std::string& source, const std::string& kind) {
  if (SourceRec* known = FindSource(source)) {
    if (!kind.empty()) known->fig.kind = kind;
    return;
  }
  auto rec = std::make_unique<SourceRec>(clock_.steady_ms());
  rec->fig.name = source;
  if (!kind.empty()) rec->fig.kind = kind;
  rec->heard_steady = clock_.steady_ms();
  rec->heard_wall = clock_.wall_ms();
  sources_.push_back(std::move(rec));
}

void Registry::AddView(const std::string& view, const std::string& source, const std::string& sink,
                       const std::string& collection, const std::vector<std::string>& tables) {
  if (FindView(view)) return;
  AddSource(source);
  auto rec = std::make_unique<ViewRec>(clock_.steady_ms());
  rec->fig.name = view;
  rec->fig.source = source;
  rec->fig.sink = sink;
  rec->fig.collection = collection;
  size_t index = views_.size();
  views_.push_back(std::move(rec));
  std::set<std::string> unique(tables.begin(), tables.end());
  for (const auto& t : unique) readers_[{source, t}].push_back(index);
  auto& sources = sinks_[sink].sources;
  if (std::find(sources.begin(), sources.end(), source) == sources.end()) sources.push_back(source);
}

void Registry::ViewStopped(const std::string& view, const std::string& error) {
  if (ViewRec* v = FindView(view)) {
    v->stopped = true;
    v->fig.error = error;
  }
}

void Registry::SetViewBacklog(const std::string& view, int64_t outbox_depth, uint64_t dead_letters) {
  if (ViewRec* v = FindView(view)) {
    v->fig.outbox_depth = outbox_depth;
    v->fig.dead_letters = dead_letters;
  }
}

void Registry::SourceStarted(const std::string& source, bool snapshot, const std::string& offset) {
  SourceRec* s = FindSource(source);
  if (!s) return;
  s->fig.state = snapshot ? RunState::kSnapshotting : RunState::kStreaming;
  s->fig.offset = offset;
  s->stopped = s->retrying = false;
  s->fig.caught_up = false;
  s->heard_steady = clock_.steady_ms();
  s->heard_wall = clock_.wall_ms();
  s->applied_lag_ms = 0;
  if (snapshot) {
    s->fig.has_snapshot = true;
    s->fig.snapshot_started_ms = clock_.wall_ms();
    s->fig.snapshot_done = false;
    s->fig.snapshot_tables.clear();
    s->table_rates.clear();
    s->table_started.clear();
    s->last_table_update_ms = clock_.steady_ms();
  }
}

void Registry::SourceLag(const std::string& source, int64_t bytes) {
  SourceRec* s = FindSource(source);
  if (s) s->fig.lag_bytes = bytes;
}

void Registry::BatchReceived(const std::string& source, SourceSignal signal, bool has_changes) {
  SourceRec* s = FindSource(source);
  if (!s) return;
  s->heard_steady = clock_.steady_ms();
  s->heard_wall = clock_.wall_ms();
  if (has_changes) s->fig.caught_up = false;
  switch (signal) {
    case SourceSignal::kReconnecting:
      s->retrying = true;
      s->fig.caught_up = false;
      break;
    case SourceSignal::kCaughtUp:
      s->retrying = false;
      s->fig.caught_up = true;
      break;
    case SourceSignal::kConnected:
    case SourceSignal::kNone:
      s->retrying = false;
      break;
  }
  if (!s->stopped && s->fig.state != RunState::kSnapshotting) {
    s->fig.state = s->retrying ? RunState::kRetrying : RunState::kStreaming;
  }
}

void Registry::RowsApplied(const std::string& source, const std::string& table, uint64_t n, int64_t commit_ts_ms) {
  SourceRec* s = FindSource(source);
  if (!s || n == 0) return;
  int64_t steady = clock_.steady_ms();
  s->fig.rows_total += n;
  s->rows.Add(n, steady);
  if (commit_ts_ms > 0) {
    s->fig.last_change_ms = commit_ts_ms;
    s->applied_lag_ms = std::max<int64_t>(0, clock_.wall_ms() - commit_ts_ms);
  }
  s->fig.caught_up = false;
  auto it = readers_.find({source, table});
  if (it == readers_.end()) return;
  for (size_t index : it->second) {
    views_[index]->fig.rows_total += n;
    views_[index]->rows.Add(n, steady);
  }
}

void Registry::SnapshotProgress(const std::string& source, const std::string& table, uint64_t rows_done,
                                uint64_t rows_estimate) {
  SourceRec* s = FindSource(source);
  if (!s) return;
  auto& tables = s->fig.snapshot_tables;
  int64_t steady = clock_.steady_ms();
  if (tables.empty() || tables.back().table != table) {
    // Tables are read one after the other: a new table means the previous one is complete, and
    // this one started when the previous one's last rows arrived (or when the snapshot began).
    if (!tables.empty()) tables.back().done = true;
    tables.push_back(TableProgress{table, 0, rows_estimate, 0, false, 0});
    s->table_rates.emplace_back(steady);
    s->table_started.push_back(s->last_table_update_ms);
  }
  s->last_table_update_ms = steady;
  TableProgress& t = tables.back();
  if (rows_done > t.rows_done) s->table_rates.back().Add(rows_done - t.rows_done, steady);
  t.rows_done = rows_done;
  t.rows_estimate = rows_estimate;
  t.elapsed_ms = steady - s->table_started.back();
}

void Registry::SnapshotDone(const std::string& source) {
  SourceRec* s = FindSource(source);
  if (!s) return;
  if (!s->fig.snapshot_tables.empty()) s->fig.snapshot_tables.back().done = true;
  s->fig.snapshot_done = true;
  if (!s->stopped) s->fig.state = RunState::kStreaming;
  // The state is now as of the snapshot's start; the binlog from there is read next.
  s->applied_lag_ms = std::max<int64_t>(0, clock_.wall_ms() - s->fig.snapshot_started_ms);
  if (s->fig.last_change_ms == 0) s->fig.last_change_ms = s->fig.snapshot_started_ms;
  s->heard_steady = clock_.steady_ms();
  s->heard_wall = clock_.wall_ms();
}

void Registry::OffsetCommitted(const std::string& source, const std::string& offset) {
  if (SourceRec* s = FindSource(source)) s->fig.offset = offset;
}

void Registry::SourceStopped(const std::string& source) {
  if (SourceRec* s = FindSource(source)) {
    s->stopped = true;
    s->fig.state = RunState::kStopped;
  }
}

void Registry::OutboxAppended(const std::string& view, int64_t n) {
  if (ViewRec* v = FindView(view)) v->fig.outbox_depth += n;
}

void Registry::OutboxCommitted(const std::string& sink, int64_t max_seq, int64_t oldest_change_ms) {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return;
  SinkRec& rec = it->second;
  if (oldest_change_ms <= 0) {
    for (const auto& name : rec.sources) {
      SourceRec* s = FindSource(name);
      if (s && s->fig.last_change_ms > 0 && (oldest_change_ms <= 0 || s->fig.last_change_ms < oldest_change_ms)) {
        oldest_change_ms = s->fig.last_change_ms;
      }
    }
  }
  if (oldest_change_ms <= 0) return;
  if (!rec.commits.empty() && rec.commits.back().first >= max_seq) return;  // seqs only grow
  rec.commits.emplace_back(max_seq, oldest_change_ms);
}

void Registry::SinkPendingFrom(const std::string& sink, std::optional<int64_t> min_seq) {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return;
  auto& commits = it->second.commits;
  if (!min_seq) {
    commits.clear();
    return;
  }
  // A commit whose highest seq is below the oldest pending one is fully acknowledged.
  while (!commits.empty() && commits.front().first < *min_seq) commits.pop_front();
}

void Registry::DocumentsAcked(const std::string& view, uint64_t written, uint64_t deleted, int64_t removed) {
  ViewRec* v = FindView(view);
  if (!v) return;
  v->fig.documents_total += written + deleted;
  v->fig.documents_deleted_total += deleted;
  v->docs.Add(written + deleted, clock_.steady_ms());
  v->fig.outbox_depth = std::max<int64_t>(0, v->fig.outbox_depth - removed);
}

void Registry::DeadLettered(const std::string& view, uint64_t n) {
  if (ViewRec* v = FindView(view)) v->fig.dead_letters += n;
}

void Registry::DeadLetterNoted(const std::string& view, DeadLetterNote note) {
  ViewRec* v = FindView(view);
  if (v == nullptr) return;
  auto& notes = v->fig.latest_dead_letters;
  notes.insert(notes.begin(), std::move(note));
  if (notes.size() > kLatestDeadLetters) notes.resize(kLatestDeadLetters);
}

void Registry::SetLatestDeadLetters(const std::string& view, std::vector<DeadLetterNote> newest_first) {
  ViewRec* v = FindView(view);
  if (v == nullptr) return;
  if (newest_first.size() > kLatestDeadLetters) newest_first.resize(kLatestDeadLetters);
  v->fig.latest_dead_letters = std::move(newest_first);
}

void Registry::SinkFailing(const std::string& sink, const std::string& error) {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return;
  it->second.failing = true;
  it->second.error = error;
}

void Registry::SinkOk(const std::string& sink) {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return;
  it->second.failing = false;
  it->second.error.clear();
}

void Registry::Stop() {
  stopped_ = true;
  for (auto& s : sources_) {
    s->stopped = true;
    s->fig.state = RunState::kStopped;
  }
}

int64_t Registry::SourceDelay(const SourceRec& s, int64_t wall, int64_t steady) const {
  if (s.fig.state == RunState::kStarting) return 0;
  if (s.fig.state == RunState::kSnapshotting) return std::max<int64_t>(0, wall - s.fig.snapshot_started_ms);
  int64_t quiet = steady - s.heard_steady;
  if (s.fig.caught_up) {
    return quiet <= kCaughtUpFreshMs ? 0 : std::max<int64_t>(0, wall - s.heard_wall);
  }
  if (quiet <= kQuietMs && !s.stopped) return s.applied_lag_ms;
  int64_t since = s.fig.last_change_ms > 0 ? s.fig.last_change_ms : s.heard_wall;
  return std::max<int64_t>(s.applied_lag_ms, wall - since);
}

Report Registry::Snapshot() const {
  Report r = process_;
  int64_t wall = clock_.wall_ms(), steady = clock_.steady_ms();
  r.time_ms = wall;
  r.running = !stopped_;
  std::map<std::string, int64_t> source_delay;
  std::map<std::string, RunState> source_state;
  for (const auto& s : sources_) {
    SourceFigures f = s->fig;
    f.rows_per_s = s->rows.PerSecond(steady);
    f.delay_ms = SourceDelay(*s, wall, steady);
    for (size_t i = 0; i < f.snapshot_tables.size(); ++i) {
      f.snapshot_tables[i].rows_per_s = f.snapshot_tables[i].done ? 0 : s->table_rates[i].PerSecond(steady);
    }
    if (stopped_) f.rows_per_s = 0;  // a stopped run moves nothing
    source_delay[f.name] = f.delay_ms;
    source_state[f.name] = f.state;
    r.sources.push_back(std::move(f));
  }
  for (const auto& v : views_) {
    ViewFigures f = v->fig;
    f.rows_per_s = v->rows.PerSecond(steady);
    f.documents_per_s = v->docs.PerSecond(steady);
    f.delay_ms = source_delay[f.source];
    f.state = source_state[f.source];
    auto sink = sinks_.find(f.sink);
    if (sink != sinks_.end()) {
      if (!sink->second.commits.empty()) {
        f.delay_ms = std::max(f.delay_ms, wall - sink->second.commits.front().second);
      }
      if (sink->second.failing) {
        f.sink_error = sink->second.error;
        if (f.state != RunState::kStopped) f.state = RunState::kRetrying;
      }
    }
    if (stopped_ || v->stopped) {
      f.state = RunState::kStopped;
      f.rows_per_s = f.documents_per_s = 0;
    }
    r.views.push_back(std::move(f));
  }
  return r;
}

}  // namespace weft::status
