#include "source/mysql/sql/schema.h"

#include <algorithm>

namespace weft::source::mysql {

core::Result<std::vector<std::string>> ListTables(Connection& conn, const TableFilter& filter) {
  WEFT_ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                                              conn.Quote(filter.database()) +
                                              " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"));
  std::vector<std::string> tables;
  for (const auto& row : rows) {
    if (!row.empty() && row[0] && filter.Captures(filter.database(), *row[0])) tables.push_back(*row[0]);
  }
  return tables;
}

core::Result<std::map<std::string, std::vector<std::string>>> LoadJsonColumns(Connection& conn,
                                                                              const std::string& db) {
  std::map<std::string, std::vector<std::string>> out;
  if (conn.is_mariadb()) {
    WEFT_ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
                                                "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = " +
                                                conn.Quote(db)));
    for (const auto& row : rows) {
      if (row.size() < 3 || !row[0] || !row[2]) continue;
      // MariaDB names the constraint of a JSON column after the column: json_valid(`col`).
      const std::string& clause = *row[2];
      const std::string prefix = "json_valid(`";
      if (clause.rfind(prefix, 0) != 0 || clause.size() < prefix.size() + 2 || clause.substr(clause.size() - 2) != "`)") {
        continue;
      }
      std::string column = clause.substr(prefix.size(), clause.size() - prefix.size() - 2);
      // Backticks inside the name are doubled in the clause.
      std::string unescaped;
      for (size_t i = 0; i < column.size(); ++i) {
        unescaped.push_back(column[i]);
        if (column[i] == '`' && i + 1 < column.size() && column[i + 1] == '`') ++i;
      }
      out[*row[0]].push_back(unescaped);
    }
  }
  WEFT_ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE "
                                              "TABLE_SCHEMA = " + conn.Quote(db) + " AND DATA_TYPE = 'json'"));
  for (const auto& row : rows) {
    if (row.size() >= 2 && row[0] && row[1]) out[*row[0]].push_back(*row[1]);
  }
  return out;
}

core::Result<change::TableSchemaPtr> LoadTableSchema(Connection& conn, const std::string& db,
                                                      const std::string& table) {
  auto schema = std::make_shared<change::TableSchema>();
  schema->db = db;
  schema->table = table;
  const std::string where = " WHERE TABLE_SCHEMA = " + conn.Quote(db) + " AND TABLE_NAME = " + conn.Quote(table);
  WEFT_ASSIGN_OR_RETURN(auto cols, conn.Query("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, DATA_TYPE FROM "
                                              "information_schema.COLUMNS" + where + " ORDER BY ORDINAL_POSITION"));
  if (cols.empty()) {
    return core::NotFound("source " + conn.source_name() + ": table `" + db + "`.`" + table +
                          "` has no columns visible to weft (does it exist?)");
  }
  WEFT_ASSIGN_OR_RETURN(auto json, LoadJsonColumns(conn, db));
  const auto& json_columns = json[table];
  for (const auto& row : cols) {
    change::ColumnSchema c;
    c.name = row[0].value_or("");
    c.type = row[1].value_or("");
    c.nullable = row[2].value_or("YES") == "YES";
    c.is_json = std::find(json_columns.begin(), json_columns.end(), c.name) != json_columns.end();
    schema->columns.push_back(std::move(c));
  }
  WEFT_ASSIGN_OR_RETURN(auto pk, conn.Query("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE" + where +
                                            " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION"));
  for (const auto& row : pk) {
    int index = row.empty() || !row[0] ? -1 : schema->ColumnIndex(*row[0]);
    if (index >= 0) schema->primary_key.push_back(index);
  }
  return change::TableSchemaPtr(std::move(schema));
}

core::Result<std::vector<std::string>> JsonColumnCache::Get(const std::string& table) {
  // Two tries: the kept connection may have been closed by the server (wait_timeout) since the
  // last DDL; a fresh one failing too is a real outage.
  for (int attempt = 0; !loaded_; ++attempt) {
    if (!conn_.valid()) {
      ConnectOptions options;
      options.read_timeout_s = 30;
      options.interrupter = interrupter_;
      WEFT_ASSIGN_OR_RETURN(conn_, Connection::Open(config_, options));
    }
    auto loaded = LoadJsonColumns(conn_, config_.database);
    if (!loaded.ok()) {
      conn_ = Connection();
      if (attempt == 0) continue;
      return loaded.status();
    }
    columns_ = std::move(*loaded);
    loaded_ = true;
    ++generation_;
  }
  auto it = columns_.find(table);
  if (it == columns_.end()) return std::vector<std::string>{};
  return it->second;
}

}  // namespace weft::source::mysql
