#include "verify/mysql_tables.h"

#include <cstdlib>
#include <set>

namespace weft::verify {
namespace {

using change::Value;
using source::mysql::Connection;
using source::mysql::QuoteIdentifier;

// One text-protocol value -> Value, mapped like the binlog decoder and snapshot reader map it
// (change/value.h): SELECT already prints temporals in the session time zone (UTC, set by
// Connection), DECIMAL with its exact digits, ENUM/SET as their names.
Value TextValue(const MYSQL_FIELD& field, const change::ColumnSchema& column, const char* data, unsigned long length) {
  std::string text(data, length);
  bool is_unsigned = (field.flags & UNSIGNED_FLAG) != 0;
  switch (field.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
      return is_unsigned ? Value::UInt(std::strtoull(text.c_str(), nullptr, 10))
                         : Value::Int(std::strtoll(text.c_str(), nullptr, 10));
    case MYSQL_TYPE_YEAR: return Value::Int(std::strtoll(text.c_str(), nullptr, 10));
    case MYSQL_TYPE_BIT: {
      uint64_t v = 0;  // the text protocol sends BIT as big-endian bytes
      for (unsigned char c : text) v = (v << 8) | c;
      return Value::UInt(v);
    }
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: return Value::Decimal(std::move(text));
    case MYSQL_TYPE_FLOAT: return Value::Float(std::strtof(text.c_str(), nullptr));
    case MYSQL_TYPE_DOUBLE: return Value::Double(std::strtod(text.c_str(), nullptr));
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: return Value::Date(std::move(text));
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP: return Value::DateTime(std::move(text));
    case MYSQL_TYPE_TIME: return Value::Time(std::move(text));
    case MYSQL_TYPE_JSON: return Value::Json(std::move(text));
    case MYSQL_TYPE_GEOMETRY:  // SRID (4 bytes) + WKB; weft keeps the WKB
      return Value::Bytes(text.size() >= 4 ? text.substr(4) : text);
    default: break;
  }
  if (column.is_json) return Value::Json(std::move(text));
  if (field.charsetnr == 63 && !(field.flags & (ENUM_FLAG | SET_FLAG))) return Value::Bytes(std::move(text));
  return Value::String(std::move(text));
}

std::string InList(const Connection& conn, const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + conn.Quote(n);
  return out;
}

// mysql_use_result's result set, freed on every path.
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
  if (tables.empty()) return out;
  const std::string db = conn_.Quote(config_.database);
  const std::string in = InList(conn_, tables);
  WEFT_ASSIGN_OR_RETURN(auto columns,
                        conn_.Query("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, DATA_TYPE "
                                    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " + db +
                                    " AND TABLE_NAME IN (" + in + ") ORDER BY TABLE_NAME, ORDINAL_POSITION"));
  for (auto& row : columns) {
    change::TableSchema& s = out[*row[0]];
    s.db = config_.database;
    s.table = *row[0];
    change::ColumnSchema c;
    c.name = *row[1];
    c.type = *row[2];
    c.nullable = row[3] && *row[3] == "YES";
    c.is_json = row[4] && *row[4] == "json";
    s.columns.push_back(std::move(c));
  }
  WEFT_ASSIGN_OR_RETURN(auto keys,
                        conn_.Query("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                                    "WHERE TABLE_SCHEMA = " + db + " AND CONSTRAINT_NAME = 'PRIMARY' AND TABLE_NAME IN (" +
                                    in + ") ORDER BY TABLE_NAME, ORDINAL_POSITION"));
  for (auto& row : keys) {
    auto it = out.find(*row[0]);
    if (it == out.end()) continue;
    int index = it->second.ColumnIndex(*row[1]);
    if (index >= 0) it->second.primary_key.push_back(index);
  }
  if (conn_.is_mariadb()) {
    // MariaDB's JSON is LONGTEXT with a json_valid() CHECK named after the column.
    WEFT_ASSIGN_OR_RETURN(auto checks,
                          conn_.Query("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
                                      "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = " + db +
                                      " AND TABLE_NAME IN (" + in + ")"));
    for (auto& row : checks) {
      auto it = out.find(*row[0]);
      if (it == out.end() || !row[1] || !row[2]) continue;
      if (*row[2] != "json_valid(" + QuoteIdentifier(*row[1]) + ")") continue;
      int index = it->second.ColumnIndex(*row[1]);
      if (index >= 0) it->second.columns[index].is_json = true;
    }
  }
  return out;
}

core::Status MysqlTables::ReadRows(const change::TableSchema& schema, const std::vector<int>& columns,
                                   const RowCallback& each) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", " : "") + QuoteIdentifier(schema.columns[columns[i]].name);
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
  MYSQL_FIELD* fields = mysql_fetch_fields(result.res);
  core::Status stop;
  while (MYSQL_ROW raw = mysql_fetch_row(result.res)) {
    unsigned long* lengths = mysql_fetch_lengths(result.res);
    std::vector<Value> row;
    row.reserve(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) {
      if (!raw[i]) row.emplace_back();
      else row.push_back(TextValue(fields[i], schema.columns[columns[i]], raw[i], lengths[i]));
    }
    stop = each(std::move(row));
    if (!stop.ok()) break;
  }
  if (!stop.ok()) {
    // Drain the rest so the connection stays usable (mysql_free_result does it too, but explicitly
    // is clearer); the callback's error is what the caller needs to see.
    while (mysql_fetch_row(result.res)) {
    }
    return stop;
  }
  if (mysql_errno(m) != 0) return conn_.LastError(what);
  return core::Status::Ok();
}

}  // namespace weft::verify
