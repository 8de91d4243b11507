#pragma once
// SourceTables: what `weft verify` needs from a source database: table schemas and plain
// full-table reads. The MySQL implementation (verify/mysql_tables.h) runs every read inside one
// consistent-snapshot transaction; tests use an in-memory fake. One thread at a time.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "change/table_schema.h"
#include "change/value.h"
#include "core/status.h"

namespace weft::verify {

class SourceTables {
 public:
  using RowCallback = std::function<core::Status(std::vector<change::Value>&& row)>;
  virtual ~SourceTables() = default;

  // Schemas of `tables` (columns in table order, primary key). A table that does not exist is
  // simply absent from the map (the caller names it in its error).
  virtual core::Result<std::map<std::string, change::TableSchema>> Schemas(const std::vector<std::string>& tables) = 0;

  // Calls `each` with every row of `schema`'s table, holding the values of `columns` (schema
  // indexes, in that order), in primary-key order. Streams: rows are not buffered. A non-ok Status
  // from `each` stops the read and is returned.
  virtual core::Status ReadRows(const change::TableSchema& schema, const std::vector<int>& columns,
                                const RowCallback& each) = 0;
};

}  // namespace weft::verify
