#include "source/mysql/mysql_source.h"

#include <thread>

#include "core/log.h"
#include "loop/handoff_queue.h"
#include "source/mysql/binlog/binlog_client.h"
#include "source/mysql/sql/connection.h"
#include "source/mysql/sql/ddl_statement.h"
#include "source/mysql/binlog/position.h"
#include "source/mysql/sql/schema.h"
#include "source/mysql/sql/server_check.h"
#include "source/mysql/sql/snapshot_reader.h"

namespace weft::source::mysql {

struct MysqlSource::Impl {
  Impl(config::SourceConfig c, SourceOptions o, uv_loop_t* l)
      : config(std::move(c)),
        options(std::move(o)),
        loop(l),
        queue(options.queue_capacity, [](const SourceBatch& b) { return b.changes.size(); }, options.queue_bytes,
              [](const SourceBatch& b) { return ApproxBytes(b); }),
        log("source.mysql:" + config.name) {}

  void Run(bool snapshot, Position start);
  bool Emit(SourceBatch&& batch) { return queue.Push(std::move(batch)); }

  config::SourceConfig config;
  SourceOptions options;
  uv_loop_t* loop;
  TableFilter filter;
  loop::HandoffQueue<SourceBatch> queue;
  Interrupter interrupter;
  std::thread reader;
  core::Logger log;
  bool started = false;
};

// Reader thread: snapshot (when asked), then the binlog from the snapshot's position, until
// stopped or a fatal error; the Status it ends with reaches on_stopped after every batch.
void MysqlSource::Impl::Run(bool snapshot, Position start) {
  auto emit = [this](SourceBatch&& batch) { return Emit(std::move(batch)); };
  core::Status st;
  while (true) {
    if (snapshot) {
      auto position = RunSnapshot(config, filter, SnapshotOptions{}, &interrupter, emit);
      if (!position.ok()) {
        st = position.status();
        break;
      }
      SourceBatch done;
      done.kind = SourceBatch::Kind::kSnapshotDone;
      done.offset = position->Encode();
      if (!Emit(std::move(done))) {
        st = core::Aborted("stopped");
        break;
      }
      start = *position;
    }
    BinlogClientOptions binlog;
    binlog.max_batch_changes = options.max_batch_changes;
    st = RunBinlog(config, filter, start, binlog, &interrupter, emit);
    if (st.code() == core::Code::kDataLoss && config.on_lost_position == "resnapshot" &&
        !interrupter.cancelled()) {
      log.Warn(st.message() + "; on_lost_position = \"resnapshot\": taking a new snapshot");
      snapshot = true;
      continue;
    }
    break;
  }
  if (st.code() == core::Code::kAborted) log.Info("stopped");
  else log.Error(st.ToString());
  queue.Finish(st);
}

MysqlSource::MysqlSource(config::SourceConfig config, SourceOptions options, uv_loop_t* loop)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options), loop)) {}

MysqlSource::~MysqlSource() {
  Stop();
  if (impl_->reader.joinable()) impl_->reader.join();
  impl_->queue.Close();
}

core::Status MysqlSource::Start(const StartFrom& from, BatchHandler on_batch, StoppedHandler on_stopped) {
  Impl& s = *impl_;
  if (s.started) return core::Internal("MysqlSource::Start called twice");
  s.started = true;
  const std::vector<std::string>& tables = s.options.tables.empty() ? s.config.tables : s.options.tables;
  s.filter = TableFilter(s.config.database, tables);

  ConnectOptions connect;
  connect.interrupter = &s.interrupter;
  WEFT_ASSIGN_OR_RETURN(Connection conn, Connection::Open(s.config, connect));
  WEFT_ASSIGN_OR_RETURN(ServerCheck check, CheckServer(conn, s.config, tables));
  WEFT_RETURN_IF_ERROR(check.ToStatus(s.config));

  Position start;
  bool snapshot = false;
  switch (from.mode) {
    case StartFrom::Mode::kSnapshot:
      snapshot = true;
      break;
    case StartFrom::Mode::kNow: {
      WEFT_ASSIGN_OR_RETURN(start, CurrentPosition(conn));
      break;
    }
    case StartFrom::Mode::kOffset: {
      WEFT_ASSIGN_OR_RETURN(start, Position::Parse(from.offset));
      if (!check.info.is_mariadb && start.file.empty() && !start.has_mysql_gtids) {
        return core::InvalidArgument("offset '" + from.offset + "' holds only a MariaDB GTID, but source " +
                                     s.config.name + " is MySQL " + check.info.version + ": it needs file and pos");
      }
      break;
    }
  }
  s.log.Info("connected to " + conn.address() + " (" + check.info.version + "); starting from " +
             (snapshot ? std::string("a snapshot") : start.Encode()));
  WEFT_RETURN_IF_ERROR(s.queue.Open(s.loop, std::move(on_batch), std::move(on_stopped)));
  s.reader = std::thread([&s, snapshot, start] { s.Run(snapshot, start); });
  return core::Status::Ok();
}

void MysqlSource::Pause() { impl_->queue.Pause(); }

void MysqlSource::Resume() { impl_->queue.Resume(); }

SchemaEffect MysqlSource::EffectOf(const change::Change& ddl) const {
  return ParseDdl(ddl.statement, ddl.source.db, impl_->config.database);
}

void MysqlSource::Stop() {
  impl_->interrupter.Cancel();
  impl_->queue.Cancel();
}

}  // namespace weft::source::mysql
