#include "source/postgres/postgres_source.h"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "core/log.h"
#include "loop/handoff_queue.h"
#include "source/postgres/replication/stream.h"
#include "source/postgres/replication/transaction_builder.h"
#include "source/postgres/sql/catalog.h"
#include "source/postgres/sql/server_check.h"
#include "source/postgres/sql/slot.h"
#include "source/postgres/sql/snapshot.h"

namespace weft::source::postgres {

struct PostgresSource::Impl {
  Impl(config::SourceConfig c, SourceOptions o, uv_loop_t* l)
      : config(std::move(c)),
        options(std::move(o)),
        loop(l),
        queue(options.queue_capacity, [](const SourceBatch& b) { return b.changes.size(); }, options.queue_bytes,
              [](const SourceBatch& b) { return ApproxBytes(b); }),
        log("source.postgresql:" + config.name) {}

  void Run(StartFrom::Mode mode, Lsn start);
  bool Emit(SourceBatch&& batch) { return queue.Push(std::move(batch)); }
  core::Status Snapshot(Lsn* start, bool temporary);
  core::Status Stream(Lsn* start, bool temporary);
  core::Status Lost(const std::string& what) const;
  // Sleeps `seconds` unless stopped first (false then).
  bool Sleep(int seconds);

  config::SourceConfig config;
  SourceOptions options;
  uv_loop_t* loop;
  std::vector<std::string> tables;  // captured
  loop::HandoffQueue<SourceBatch> queue;
  Interrupter interrupter;
  StreamFeedback feedback;
  std::thread reader;
  core::Logger log;
  bool started = false;
  // The shapes the stream compares Relation messages with: from the snapshot, or read at connect.
  TypeRegistryPtr types;
  PgTables known;
  std::string temp_slot;  // kNow, or !options.resumable: a TEMPORARY slot of this process
  // The replication connection the snapshot created its slot on, streamed on next (a temporary
  // slot lives only as long as it).
  std::optional<PgConnection> held;
};

core::Status PostgresSource::Impl::Lost(const std::string& what) const {
  return core::DataLoss(what +
                        ". weft will not restart at the newest position (that would skip changes): set "
                        "on_lost_position = \"resnapshot\" in [sources." +
                        config.name + "] to take a new snapshot, or start over with an empty state file");
}

bool PostgresSource::Impl::Sleep(int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (interrupter.cancelled()) return false;
    usleep(100 * 1000);
  }
  return !interrupter.cancelled();
}

core::Status PostgresSource::Impl::Snapshot(Lsn* start, bool temporary) {
  held.reset();
  WEFT_ASSIGN_OR_RETURN(PgConnection repl, PgConnection::Open(config, true, &interrupter));
  // The publication must exist before the slot: pgoutput reads it as of each change's WAL position.
  WEFT_RETURN_IF_ERROR(EnsurePublication(repl, config, tables, true));
  if (temporary) {
    WEFT_ASSIGN_OR_RETURN(CreatedSlot slot, CreateSlot(repl, config.user, temp_slot, true, true));
    log.Info("created temporary replication slot " + temp_slot + " at " + FormatLsn(slot.consistent_point));
    auto emit = [this](SourceBatch&& b) { return Emit(std::move(b)); };
    WEFT_ASSIGN_OR_RETURN(SnapshotResult snap, RunSnapshot(config, tables, slot.snapshot_name, slot.consistent_point,
                                                           1000, &interrupter, emit));
    types = snap.types;
    known = std::move(snap.tables);
    SourceBatch done;
    done.kind = SourceBatch::Kind::kSnapshotDone;
    done.offset = EncodeOffset(slot.consistent_point);
    if (!Emit(std::move(done))) return core::Aborted("stopped");
    *start = slot.consistent_point;
    held = std::move(repl);
    return core::Status::Ok();
  }
  // A slot still in use belongs to another reader (a second weft, `weft tail`), or to the walsender
  // of this source's previous connection, which lets go within moments: wait a little, never drop
  // it from under a live reader (DROP_REPLICATION_SLOT ... WAIT would block until it stops).
  for (int waited = 0;; ++waited) {
    WEFT_ASSIGN_OR_RETURN(auto existing, ReadSlot(repl, config.slot));
    if (!existing || !existing->active) break;
    if (waited >= 10) {
      return core::FailedPrecondition("replication slot " + config.slot + " of source " + config.name +
                                      " is in use by process " + std::to_string(existing->active_pid) +
                                      " (another weft or weft tail reads it): stop that reader, or give this "
                                      "source a `slot` of its own");
    }
    if (!Sleep(1) && interrupter.cancelled()) return core::Aborted("stopped");
  }
  WEFT_RETURN_IF_ERROR(DropSlot(repl, config.slot));
  WEFT_ASSIGN_OR_RETURN(CreatedSlot slot, CreateSlot(repl, config.user, config.slot, false, true));
  log.Info("created replication slot " + config.slot + " at " + FormatLsn(slot.consistent_point) +
           "; reading the snapshot " + slot.snapshot_name);
  // The exported snapshot lives as long as `repl` runs no other command: it stays idle meanwhile.
  auto emit = [this](SourceBatch&& b) { return Emit(std::move(b)); };
  WEFT_ASSIGN_OR_RETURN(SnapshotResult snap, RunSnapshot(config, tables, slot.snapshot_name, slot.consistent_point,
                                                         1000, &interrupter, emit));
  types = snap.types;
  known = std::move(snap.tables);
  SourceBatch done;
  done.kind = SourceBatch::Kind::kSnapshotDone;
  done.offset = EncodeOffset(slot.consistent_point);
  if (!Emit(std::move(done))) return core::Aborted("stopped");
  *start = slot.consistent_point;
  held = std::move(repl);
  return core::Status::Ok();
}

// Connects and streams from *start until the connection breaks (Unavailable: *start is then the
// last delivered position), Stop, or a lost position.
core::Status PostgresSource::Impl::Stream(Lsn* start, bool temporary) {
  PgConnection repl;
  if (held) {
    repl = std::move(*held);
    held.reset();
  } else {
    WEFT_ASSIGN_OR_RETURN(repl, PgConnection::Open(config, true, &interrupter));
  }
  StreamStart s;
  s.slot = temporary ? temp_slot : config.slot;
  s.publication = config.publication;
  if (temporary && *start == 0) {
    WEFT_RETURN_IF_ERROR(EnsurePublication(repl, config, tables, true));
    WEFT_ASSIGN_OR_RETURN(CreatedSlot slot, CreateSlot(repl, config.user, temp_slot, true, false));
    *start = slot.consistent_point;
  }
  WEFT_ASSIGN_OR_RETURN(auto slot, ReadSlot(repl, s.slot));
  if (!slot) {
    return Lost("replication slot " + s.slot + " of source " + config.name +
                " does not exist any more (dropped, or lost in a failover), so weft's offset " + EncodeOffset(*start) +
                " cannot be resumed");
  }
  if (slot->wal_status == "lost") {
    return Lost("replication slot " + s.slot + " lost the WAL it needed (max_slot_wal_keep_size), so weft's offset " +
                EncodeOffset(*start) + " cannot be resumed");
  }
  if (slot->confirmed_flush > *start) {
    return Lost("replication slot " + s.slot + " was confirmed up to " + FormatLsn(slot->confirmed_flush) +
                ", past weft's offset " + FormatLsn(*start) +
                " (another client read it, or it was dropped and created again): the changes in between are gone");
  }
  if (!types || known.empty()) {
    WEFT_ASSIGN_OR_RETURN(types, LoadTypes(repl));
    WEFT_ASSIGN_OR_RETURN(known, LoadTables(repl, config.database, config.schema, tables, *types));
  }
  s.start = *start;
  s.confirmed_floor = slot->confirmed_flush;
  // A plain SQL connection for the lag figure, opened on first use and again after a failure.
  std::optional<PgConnection> sql;
  s.server_wal_end = [this, &sql]() -> std::optional<Lsn> {
    if (!sql) {
      auto opened = PgConnection::Open(config, false, &interrupter);
      if (!opened.ok()) return std::nullopt;
      sql = std::move(opened).value();
    }
    auto value = sql->QueryValue("SELECT pg_current_wal_lsn()");
    if (!value.ok() || !*value) {
      sql.reset();
      return std::nullopt;
    }
    return ParseLsn(**value);
  };
  BuilderOptions bo;
  bo.source_name = config.name;
  bo.database = config.database;
  bo.schema = config.schema;
  bo.tables = std::set<std::string>(tables.begin(), tables.end());
  bo.max_batch_changes = std::max<size_t>(1, options.max_batch_changes);
  TransactionBuilder builder(bo, types, known);
  log.Info("streaming slot " + s.slot + " from " + FormatLsn(*start) + " (" + repl.address() + ")");
  auto emit = [this](SourceBatch&& b) { return Emit(std::move(b)); };
  Lsn delivered = *start;
  core::Status st = RunStream(repl, s, builder, feedback, emit, &delivered);
  *start = delivered;
  return st;
}

// Reader thread: snapshot (when asked), then the stream, reconnecting on a lost connection, until
// stopped or a fatal error; the Status it ends with reaches on_stopped after every batch.
void PostgresSource::Impl::Run(StartFrom::Mode mode, Lsn start) {
  bool snapshot = mode == StartFrom::Mode::kSnapshot;
  const bool temporary = mode == StartFrom::Mode::kNow || !options.resumable;
  int backoff = 1;
  core::Status st;
  while (true) {
    if (snapshot) {
      st = Snapshot(&start, temporary);
      if (!st.ok()) break;
      snapshot = false;
    }
    st = Stream(&start, temporary);
    if (interrupter.cancelled()) {
      st = core::Aborted("stopped");
      break;
    }
    if (st.code() == core::Code::kDataLoss && config.on_lost_position == "resnapshot" && !temporary) {
      log.Warn(st.message() + "; on_lost_position = \"resnapshot\": taking a new snapshot");
      types.reset();
      known.clear();
      snapshot = true;
      continue;
    }
    if (st.code() != core::Code::kUnavailable) break;
    if (temporary) {
      st = st.WithContext("the temporary slot " + temp_slot + " ended with its connection");
      break;
    }
    log.Warn(st.message() + "; reconnecting in " + std::to_string(backoff) + " s from " + FormatLsn(start));
    SourceBatch signal;
    signal.signal = SourceBatch::Signal::kReconnecting;
    if (!Emit(std::move(signal)) || !Sleep(backoff)) {
      st = core::Aborted("stopped");
      break;
    }
    backoff = std::min(backoff * 2, 30);
  }
  if (st.code() == core::Code::kAborted)
    log.Info("stopped");
  else
    log.Error(st.ToString());
  queue.Finish(st);
}

PostgresSource::PostgresSource(config::SourceConfig config, SourceOptions options, uv_loop_t* loop)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options), loop)) {}

PostgresSource::~PostgresSource() {
  Stop();
  if (impl_->reader.joinable()) impl_->reader.join();
  impl_->queue.Close();
}

core::Status PostgresSource::Start(const StartFrom& from, BatchHandler on_batch, StoppedHandler on_stopped) {
  Impl& s = *impl_;
  if (s.started) return core::Internal("PostgresSource::Start called twice");
  s.started = true;
  WEFT_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Open(s.config, false, &s.interrupter));
  WEFT_ASSIGN_OR_RETURN(s.tables, CapturedTables(conn, s.config, s.options.tables));
  WEFT_ASSIGN_OR_RETURN(PgServerCheck check,
                        CheckPgServer(conn, s.config, s.tables, from.mode != StartFrom::Mode::kOffset));
  WEFT_RETURN_IF_ERROR(check.ToStatus(s.config));
  Lsn start = 0;
  if (from.mode == StartFrom::Mode::kOffset) {
    auto lsn = DecodeOffset(from.offset);
    if (!lsn) {
      return core::InvalidArgument("offset '" + from.offset + "' is not a PostgreSQL offset (pg1;lsn=X/Y) of source " +
                                   s.config.name);
    }
    start = *lsn;
  }
  if (from.mode == StartFrom::Mode::kNow) s.temp_slot = s.config.slot + "_tail_" + std::to_string(getpid());
  if (!s.options.resumable) s.temp_slot = s.config.slot + "_oneshot_" + std::to_string(getpid());
  s.log.Info("connected to " + conn.address() + " (PostgreSQL " + check.version + "); starting from " +
             (from.mode == StartFrom::Mode::kSnapshot ? std::string("a snapshot")
              : from.mode == StartFrom::Mode::kNow    ? std::string("now (a temporary slot)")
                                                      : FormatLsn(start)));
  WEFT_RETURN_IF_ERROR(s.queue.Open(s.loop, std::move(on_batch), std::move(on_stopped)));
  StartFrom::Mode mode = from.mode;
  s.reader = std::thread([&s, mode, start] { s.Run(mode, start); });
  return core::Status::Ok();
}

void PostgresSource::Pause() { impl_->queue.Pause(); }

void PostgresSource::Resume() { impl_->queue.Resume(); }

void PostgresSource::Stop() {
  impl_->interrupter.Cancel();
  impl_->queue.Cancel();
}

SchemaEffect PostgresSource::EffectOf(const change::Change& ddl) const {
  return TransactionBuilder::EffectOfStatement(ddl.statement, impl_->config.schema);
}

void PostgresSource::Committed(const std::string& offset) {
  auto lsn = DecodeOffset(offset);
  if (!lsn) return;
  Lsn current = impl_->feedback.committed.load();
  while (*lsn > current && !impl_->feedback.committed.compare_exchange_weak(current, *lsn)) {
  }
  impl_->interrupter.Wake();  // the reader sends the standby status update now, not in 10 s
}

}  // namespace weft::source::postgres
