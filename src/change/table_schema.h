#pragma once
// TableSchema: what weft knows of one source table's columns, shared (immutable, by shared_ptr)
// between the source reader that decodes rows and everything downstream that reads them.
// A schema change produces a new TableSchema; rows keep pointing at the one they were decoded with.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace weft::change {

struct ColumnSchema {
  std::string name;
  std::string type;      // the server's COLUMN_TYPE, e.g. "decimal(65,30)", "int(10) unsigned"
  bool nullable = true;
  bool is_json = false;  // MariaDB JSON is LONGTEXT + CHECK(json_valid): only the schema knows
};

struct TableSchema {
  std::string db;
  std::string table;
  std::vector<ColumnSchema> columns;
  std::vector<int> primary_key;  // indexes into columns, in key order; empty when the table has none

  int ColumnIndex(const std::string& name) const {
    for (size_t i = 0; i < columns.size(); ++i) if (columns[i].name == name) return static_cast<int>(i);
    return -1;
  }
};

using TableSchemaPtr = std::shared_ptr<const TableSchema>;

}  // namespace weft::change
