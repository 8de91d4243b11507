#include "source/mysql/sql/snapshot_reader.h"

#include <strings.h>

#include <chrono>

#include "core/log.h"
#include "source/mysql/binlog/mysql_gtid.h"
#include "source/mysql/sql/text_value.h"

namespace weft::source::mysql {
namespace {

core::Result<Position> MasterStatus(Connection& conn) {
  auto rows = conn.Query("SHOW MASTER STATUS");
  if (!rows.ok()) rows = conn.Query("SHOW BINARY LOG STATUS");  // MySQL 8.4 removed the old name
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front().size() < 2 || !rows->front()[0] || !rows->front()[1]) {
    return core::FailedPrecondition("source " + conn.source_name() +
                                    ": SHOW MASTER STATUS returned nothing: the binary log is off (add log_bin to "
                                    "my.cnf) or the user lacks BINLOG MONITOR / REPLICATION CLIENT");
  }
  Position p;
  p.file = *rows->front()[0];
  p.pos = std::strtoull(rows->front()[1]->c_str(), nullptr, 10);
  // MySQL's fifth column, Executed_Gtid_Set, is the GTID set at that position (empty with
  // gtid_mode=OFF): the offset carries it, so a restart can resume by GTID.
  if (!conn.is_mariadb() && rows->front().size() >= 5 && rows->front()[4]) {
    auto set = MysqlGtidSet::Parse(*rows->front()[4]);
    if (set.ok() && !set->empty()) {
      p.has_mysql_gtids = true;
      p.mysql_gtids = set->ToString();
    }
  }
  return p;
}

core::Status AddGtid(Connection& conn, Position* p) {
  WEFT_ASSIGN_OR_RETURN(auto gtid, conn.QueryValue("SELECT BINLOG_GTID_POS(" + conn.Quote(p->file) + ", " +
                                                   std::to_string(p->pos) + ")"));
  p->has_gtid = true;
  p->gtid = gtid.value_or("");
  return core::Status::Ok();
}

// Opens the snapshot transaction and returns the binlog position it is consistent with.
core::Result<Position> BeginSnapshot(Connection& conn) {
  WEFT_RETURN_IF_ERROR(conn.Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  if (conn.is_mariadb()) {
    WEFT_RETURN_IF_ERROR(conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"));
    WEFT_ASSIGN_OR_RETURN(auto rows, conn.Query("SHOW STATUS LIKE 'binlog_snapshot_%'"));
    Position p;
    for (const auto& row : rows) {
      if (row.size() < 2 || !row[0] || !row[1]) continue;
      if (strcasecmp(row[0]->c_str(), "binlog_snapshot_file") == 0) p.file = *row[1];
      if (strcasecmp(row[0]->c_str(), "binlog_snapshot_position") == 0) p.pos = std::strtoull(row[1]->c_str(), nullptr, 10);
    }
    if (p.file.empty()) {
      return core::FailedPrecondition("source " + conn.source_name() +
                                      ": the server reports no binlog_snapshot_file: the binary log is off (add "
                                      "log_bin to my.cnf and restart)");
    }
    WEFT_RETURN_IF_ERROR(AddGtid(conn, &p));
    return p;
  }
  // MySQL: the read lock only spans taking the snapshot and reading its position.
  WEFT_RETURN_IF_ERROR(conn.Execute("FLUSH TABLES WITH READ LOCK"));
  core::Status st = conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
  core::Result<Position> p = st.ok() ? MasterStatus(conn) : core::Result<Position>(st);
  core::Status unlock = conn.Execute("UNLOCK TABLES");
  if (!p.ok()) return p.status();
  WEFT_RETURN_IF_ERROR(unlock);
  return p;
}

core::Status ReadTable(Connection& conn, const config::SourceConfig& config, const std::string& table,
                       const SnapshotOptions& options, int64_t ts_ms,
                       const std::function<bool(SourceBatch&&)>& emit) {
  WEFT_ASSIGN_OR_RETURN(change::TableSchemaPtr schema, LoadTableSchema(conn, config.database, table));
  WEFT_ASSIGN_OR_RETURN(auto estimate, conn.QueryValue("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE "
                                                       "TABLE_SCHEMA = " + conn.Quote(config.database) +
                                                       " AND TABLE_NAME = " + conn.Quote(table)));
  std::vector<TextKind> kinds;
  std::string sql = "SELECT ";
  for (size_t i = 0; i < schema->columns.size(); ++i) {
    if (i) sql += ", ";
    sql += SelectExpression(schema->columns[i]);
    kinds.push_back(ClassifyColumn(schema->columns[i]));
  }
  sql += " FROM " + QuoteIdentifier(config.database) + "." + QuoteIdentifier(table);
  for (size_t i = 0; i < schema->primary_key.size(); ++i) {
    sql += i == 0 ? " ORDER BY " : ", ";
    sql += QuoteIdentifier(schema->columns[schema->primary_key[i]].name);
  }
  MYSQL* m = conn.get();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) return conn.LastError("snapshot of " + table);
  MYSQL_RES* res = mysql_use_result(m);  // streaming: rows arrive as they are fetched
  if (!res) return conn.LastError("snapshot of " + table);
  struct ResultCloser {
    MYSQL_RES* r;
    ~ResultCloser() { mysql_free_result(r); }
  } closer{res};

  SourceBatch batch;
  uint64_t done = 0;
  auto new_batch = [&] {
    batch = SourceBatch();
    batch.kind = SourceBatch::Kind::kSnapshotRows;
    batch.table = table;
    batch.table_rows_estimate = estimate ? std::strtoull(estimate->c_str(), nullptr, 10) : 0;
    batch.changes.reserve(options.chunk_rows);
  };
  new_batch();
  const size_t n = schema->columns.size();
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    change::Change c;
    c.op = change::Op::kRead;
    c.ts_ms = ts_ms;
    c.source.name = config.name;
    c.source.db = config.database;
    c.source.table = table;
    c.source.snapshot = true;
    c.schema = schema;
    c.after.values.reserve(n);
    for (size_t i = 0; i < n; ++i) c.after.values.push_back(TextToValue(kinds[i], row[i], lengths[i]));
    batch.changes.push_back(std::move(c));
    ++done;
    if (batch.changes.size() >= options.chunk_rows) {
      batch.table_rows_done = done;
      if (!emit(std::move(batch))) return core::Aborted("stopped");
      new_batch();
    }
  }
  if (mysql_errno(m) != 0) return conn.LastError("snapshot of " + table);
  if (!batch.changes.empty() || done == 0) {
    batch.table_rows_done = done;
    if (!emit(std::move(batch))) return core::Aborted("stopped");
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<Position> CurrentPosition(Connection& conn) {
  WEFT_ASSIGN_OR_RETURN(Position p, MasterStatus(conn));
  if (conn.is_mariadb()) WEFT_RETURN_IF_ERROR(AddGtid(conn, &p));
  return p;
}

core::Result<Position> RunSnapshot(const config::SourceConfig& config, const TableFilter& filter,
                                   const SnapshotOptions& options, Interrupter* interrupter,
                                   const std::function<bool(SourceBatch&&)>& emit) {
  core::Logger log("source.mysql:" + config.name);
  ConnectOptions connect;
  connect.interrupter = interrupter;
  connect.write_timeout_s = 3600;
  WEFT_ASSIGN_OR_RETURN(Connection conn, Connection::Open(config, connect));
  WEFT_RETURN_IF_ERROR(conn.Execute("SET SESSION net_write_timeout = 86400"));
  const int64_t ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  WEFT_ASSIGN_OR_RETURN(Position position, BeginSnapshot(conn));
  log.Info("snapshot consistent with " + position.Encode());
  WEFT_ASSIGN_OR_RETURN(auto tables, ListTables(conn, filter));
  for (const auto& table : tables) {
    core::Status st = ReadTable(conn, config, table, options, ts_ms, emit);
    if (!st.ok()) return (interrupter && interrupter->cancelled()) ? core::Aborted("stopped") : st;
  }
  WEFT_RETURN_IF_ERROR(conn.Execute("COMMIT"));
  log.Info("snapshot read " + std::to_string(tables.size()) + " table(s)");
  return position;
}

}  // namespace weft::source::mysql
