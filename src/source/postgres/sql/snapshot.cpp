#include "source/postgres/sql/snapshot.h"

#include "source/postgres/decode/text_value.h"

namespace weft::source::postgres {

std::string SelectList(const PgConnection& conn, const change::TableSchema& schema) {
  std::string list;
  for (const auto& c : schema.columns) list += (list.empty() ? "" : ", ") + conn.QuoteIdent(c.name);
  return list.empty() ? "NULL" : list;
}

core::Result<SnapshotResult> RunSnapshot(const config::SourceConfig& config, const std::vector<std::string>& tables,
                                         const std::string& snapshot_name, Lsn consistent_point, size_t chunk_rows,
                                         Interrupter* interrupter, const std::function<bool(SourceBatch&&)>& emit) {
  WEFT_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Open(config, false, interrupter));
  WEFT_RETURN_IF_ERROR(conn.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  WEFT_RETURN_IF_ERROR(conn.Execute("SET TRANSACTION SNAPSHOT " + conn.QuoteLiteral(snapshot_name)));
  SnapshotResult result;
  WEFT_ASSIGN_OR_RETURN(result.types, LoadTypes(conn));
  WEFT_ASSIGN_OR_RETURN(result.tables, LoadTables(conn, config.database, config.schema, tables, *result.types));
  const std::string lsn = FormatLsn(consistent_point);
  for (const auto& name : tables) {
    auto it = result.tables.find(name);
    if (it == result.tables.end()) {
      return core::NotFound("source " + config.name + ": table " + config.schema + "." + name + " does not exist");
    }
    const PgTable& table = it->second;
    const std::string qualified = conn.QuoteIdent(config.schema) + "." + conn.QuoteIdent(name);
    WEFT_ASSIGN_OR_RETURN(
        auto estimate, conn.QueryValue("SELECT GREATEST(reltuples, 0)::bigint FROM pg_catalog.pg_class WHERE oid = " +
                                       std::to_string(table.relid)));
    uint64_t rows_estimate = estimate ? std::stoull(*estimate) : 0;
    WEFT_RETURN_IF_ERROR(conn.Execute("DECLARE weft_snapshot NO SCROLL CURSOR FOR SELECT " +
                                      SelectList(conn, *table.schema) + " FROM " + qualified));
    const std::string fetch = "FETCH FORWARD " + std::to_string(chunk_rows) + " FROM weft_snapshot";
    uint64_t done = 0;
    while (true) {
      WEFT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(fetch));
      SourceBatch batch;
      batch.kind = SourceBatch::Kind::kSnapshotRows;
      batch.table = name;
      batch.table_rows_estimate = rows_estimate;
      batch.changes.reserve(static_cast<size_t>(r.rows()));
      for (int row = 0; row < r.rows(); ++row) {
        change::Change c;
        c.op = change::Op::kRead;
        c.schema = table.schema;
        c.source.connector = "postgresql";
        c.source.name = config.name;
        c.source.db = config.database;
        c.source.schema = config.schema;
        c.source.table = name;
        c.source.snapshot = true;
        c.source.lsn = lsn;
        c.after.values.reserve(table.decoders.size());
        for (int col = 0; col < r.columns(); ++col) {
          const char* data = r.IsNull(row, col) ? nullptr : PQgetvalue(r.get(), row, col);
          c.after.values.push_back(TextToValue(*result.types, table.decoders[static_cast<size_t>(col)], data,
                                               static_cast<size_t>(PQgetlength(r.get(), row, col))));
        }
        batch.changes.push_back(std::move(c));
      }
      done += static_cast<uint64_t>(r.rows());
      batch.table_rows_done = done;
      bool last = static_cast<size_t>(r.rows()) < chunk_rows;
      if ((!batch.changes.empty() || last) && !emit(std::move(batch))) return core::Aborted("stopped");
      if (last) break;
    }
    WEFT_RETURN_IF_ERROR(conn.Execute("CLOSE weft_snapshot"));
  }
  WEFT_RETURN_IF_ERROR(conn.Execute("COMMIT"));
  return result;
}

}  // namespace weft::source::postgres
