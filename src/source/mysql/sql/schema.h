#pragma once
// What information_schema says about the captured tables: which tables, their columns and primary
// key (for the snapshot), and which columns hold JSON. MariaDB's JSON is LONGTEXT with a
// CHECK (json_valid(`col`)) constraint, visible only in information_schema.CHECK_CONSTRAINTS; the
// binlog cannot tell it from text. MySQL's JSON is its own DATA_TYPE.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "change/table_schema.h"
#include "config/config.h"
#include "core/status.h"
#include "source/mysql/sql/connection.h"

namespace weft::source::mysql {

// Which tables of which database a source captures.
class TableFilter {
 public:
  TableFilter() = default;
  // `tables` empty: every table of `database`.
  TableFilter(std::string database, const std::vector<std::string>& tables)
      : database_(std::move(database)), tables_(tables.begin(), tables.end()) {}
  // Every table of every database, and every statement as a DDL record (`weft tail --binlog-file`).
  static TableFilter All() {
    TableFilter f;
    f.all_ = true;
    return f;
  }
  bool Captures(std::string_view db, std::string_view table) const {
    return all_ || (db == database_ && (tables_.empty() || tables_.count(std::string(table)) > 0));
  }
  const std::string& database() const { return database_; }
  bool all() const { return all_; }

 private:
  bool all_ = false;
  std::string database_;
  std::set<std::string> tables_;
};

// The base tables of `db` that `filter` captures, by name.
core::Result<std::vector<std::string>> ListTables(Connection& conn, const TableFilter& filter);

// Columns (COLUMN_TYPE as type), nullability, JSON flag and primary key of one table.
core::Result<change::TableSchemaPtr> LoadTableSchema(Connection& conn, const std::string& db,
                                                      const std::string& table);

// table -> its JSON column names, for every table of `db` that has one.
core::Result<std::map<std::string, std::vector<std::string>>> LoadJsonColumns(Connection& conn,
                                                                              const std::string& db);

// The binlog reader's view of JSON columns: loaded over its own connection on first use and again
// after each DDL statement (Invalidate). It is today's schema: replaying old binlog events of a
// column whose JSON-ness changed since renders them by the current definition. One thread.
class JsonColumnCache {
 public:
  JsonColumnCache(config::SourceConfig config, Interrupter* interrupter)
      : config_(std::move(config)), interrupter_(interrupter) {}
  // The JSON columns of `table` in the source's database (empty when it has none).
  core::Result<std::vector<std::string>> Get(const std::string& table);
  void Invalidate() { loaded_ = false; }
  // Increments on every reload, so callers can tell a cached schema is stale.
  uint64_t generation() const { return generation_; }

 private:
  config::SourceConfig config_;
  Interrupter* interrupter_;
  Connection conn_;
  bool loaded_ = false;
  uint64_t generation_ = 0;
  std::map<std::string, std::vector<std::string>> columns_;
};

}  // namespace weft::source::mysql
