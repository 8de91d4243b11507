#include "verify/postgres_tables.h"

#include "source/postgres/decode/text_value.h"
#include "source/postgres/sql/snapshot.h"

namespace weft::verify {

using source::postgres::PgConnection;
using source::postgres::PgResult;

core::Result<std::unique_ptr<PostgresTables>> PostgresTables::Open(const config::SourceConfig& config) {
  WEFT_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Open(config, false));
  return std::unique_ptr<PostgresTables>(new PostgresTables(config, std::move(conn)));
}

core::Status PostgresTables::BeginSnapshot() {
  if (in_snapshot_) WEFT_RETURN_IF_ERROR(conn_.Execute("COMMIT"));
  in_snapshot_ = false;
  WEFT_RETURN_IF_ERROR(conn_.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  in_snapshot_ = true;
  return core::Status::Ok();
}

core::Result<std::map<std::string, change::TableSchema>> PostgresTables::Schemas(
    const std::vector<std::string>& tables) {
  if (!types_) {
    WEFT_ASSIGN_OR_RETURN(types_, source::postgres::LoadTypes(conn_));
  }
  WEFT_ASSIGN_OR_RETURN(source::postgres::PgTables read,
                        source::postgres::LoadTables(conn_, config_.database, config_.schema, tables, *types_));
  std::map<std::string, change::TableSchema> out;
  for (auto& [name, table] : read) {
    out[name] = *table.schema;
    tables_[name] = std::move(table);
  }
  return out;
}

core::Status PostgresTables::ReadRows(const change::TableSchema& schema, const std::vector<int>& columns,
                                      const RowCallback& each) {
  auto known = tables_.find(schema.table);
  if (known == tables_.end()) return core::Internal("ReadRows of table '" + schema.table + "' before Schemas");
  const source::postgres::PgTable& table = known->second;
  std::string sql = "DECLARE weft_verify NO SCROLL CURSOR FOR SELECT ";
  for (size_t i = 0; i < columns.size(); ++i)
    sql += (i ? ", " : "") + conn_.QuoteIdent(schema.columns[columns[i]].name);
  if (columns.empty()) sql += "NULL";
  sql += " FROM " + conn_.QuoteIdent(config_.schema) + "." + conn_.QuoteIdent(schema.table);
  for (size_t i = 0; i < schema.primary_key.size(); ++i) {
    sql += (i ? ", " : " ORDER BY ") + conn_.QuoteIdent(schema.columns[schema.primary_key[i]].name);
  }
  const std::string what = "reading table '" + schema.table + "' of source '" + config_.name + "'";
  WEFT_RETURN_IF_ERROR(conn_.Execute(sql).WithContext(what));
  core::Status stop;
  while (stop.ok()) {
    auto fetched = conn_.Exec("FETCH FORWARD 1000 FROM weft_verify");
    if (!fetched.ok()) return fetched.status().WithContext(what);
    const PgResult& r = *fetched;
    if (r.columns() != static_cast<int>(columns.empty() ? 1 : columns.size())) {
      return core::Internal(what + ": unexpected column count");
    }
    for (int row = 0; row < r.rows() && stop.ok(); ++row) {
      std::vector<change::Value> values;
      values.reserve(columns.size());
      for (size_t i = 0; i < columns.size(); ++i) {
        int col = static_cast<int>(i);
        const char* data = r.IsNull(row, col) ? nullptr : PQgetvalue(r.get(), row, col);
        values.push_back(source::postgres::TextToValue(*types_, table.decoders[static_cast<size_t>(columns[i])], data,
                                                       static_cast<size_t>(PQgetlength(r.get(), row, col))));
      }
      stop = each(std::move(values));
    }
    if (r.rows() < 1000) break;
  }
  WEFT_RETURN_IF_ERROR(conn_.Execute("CLOSE weft_verify"));
  return stop;
}

}  // namespace weft::verify
