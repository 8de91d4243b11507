#include "verify/mysql_tables.h"

#include "source/mysql/sql/schema.h"
#include "source/mysql/sql/text_value.h"

namespace weft::verify {
namespace {

using change::Value;
using source::mysql::Connection;
using source::mysql::QuoteIdentifier;

// mysql_use_result's result set, freed (and so drained, keeping the connection usable) on every path.
struct ResultOwner {
  MYSQL_RES* res = nullptr;
  ~ResultOwner() {
    if (res) mysql_free_result(res);
  }
};

}  // namespace

core::Result<std::unique_ptr<MysqlTables>> MysqlTables::Open(const config::SourceConfig& config) {
  WEFT_ASSIGN_OR_RETURN(Connection conn, Connection::Open(config));
  return std::unique_ptr<MysqlTables>(new MysqlTables(config, std::move(conn)));
}

core::Status MysqlTables::BeginSnapshot() {
  if (in_snapshot_) WEFT_RETURN_IF_ERROR(conn_.Execute("COMMIT"));
  in_snapshot_ = false;
  // REPEATABLE READ makes the snapshot span every statement of the transaction.
  WEFT_RETURN_IF_ERROR(conn_.Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  WEFT_RETURN_IF_ERROR(conn_.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
  in_snapshot_ = true;
  return core::Status::Ok();
}

core::Result<std::map<std::string, change::TableSchema>> MysqlTables::Schemas(const std::vector<std::string>& tables) {
  std::map<std::string, change::TableSchema> out;
  for (const auto& table : tables) {
    if (out.count(table)) continue;
    auto schema = source::mysql::LoadTableSchema(conn_, config_.database, table);
    if (schema.ok()) {
      out[table] = **schema;
    } else if (schema.status().code() != core::Code::kNotFound) {  // NotFound: no such table
      return schema.status();
    }
  }
  return out;
}

core::Status MysqlTables::ReadRows(const change::TableSchema& schema, const std::vector<int>& columns,
                                   const RowCallback& each) {
  std::string sql = "SELECT ";
  std::vector<source::mysql::TextKind> kinds;
  for (size_t i = 0; i < columns.size(); ++i) {
    const change::ColumnSchema& column = schema.columns[columns[i]];
    sql += (i ? ", " : "") + source::mysql::SelectExpression(column);
    kinds.push_back(source::mysql::ClassifyColumn(column));
  }
  sql += " FROM " + QuoteIdentifier(schema.db) + "." + QuoteIdentifier(schema.table);
  // Primary-key order is InnoDB's clustered order (no sort) and gives the report a stable order.
  for (size_t i = 0; i < schema.primary_key.size(); ++i) {
    sql += (i ? ", " : " ORDER BY ") + QuoteIdentifier(schema.columns[schema.primary_key[i]].name);
  }
  const std::string what = "reading table '" + schema.table + "' of source '" + config_.name + "'";
  MYSQL* m = conn_.get();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) return conn_.LastError(what);
  ResultOwner result{mysql_use_result(m)};
  if (!result.res) return conn_.LastError(what);
  if (mysql_num_fields(result.res) != columns.size()) return core::Internal(what + ": unexpected column count");
  core::Status stop;
  while (MYSQL_ROW raw = mysql_fetch_row(result.res)) {
    unsigned long* lengths = mysql_fetch_lengths(result.res);
    std::vector<Value> row;
    row.reserve(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) row.push_back(source::mysql::TextToValue(kinds[i], raw[i], lengths[i]));
    stop = each(std::move(row));
    if (!stop.ok()) break;
  }
  if (!stop.ok()) return stop;  // ResultOwner's mysql_free_result drains the rest
  if (mysql_errno(m) != 0) return conn_.LastError(what);
  return core::Status::Ok();
}

}  // namespace weft::verify
