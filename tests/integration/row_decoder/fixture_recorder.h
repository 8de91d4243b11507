#pragma once
// Records binlog fixtures from a live MariaDB: runs SQL steps, snapshots each touched table with
// SELECT after every step, then reads the binlog once through libmariadb's replication API and
// files each TABLE_MAP/rows event under the step whose binlog range holds it. Writes one JSON file
// per scenario (format: tests/unit/source_mysql/fixture_check.h) plus a binary file for any event
// too large to inline as hex.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/harness/mariadb_server.h"

namespace weft::test {

class FixtureRecorder {
 public:
  explicit FixtureRecorder(MariaDBServer* server) : server_(server) {}

  // Runs DDL (not recorded as a step).
  void Setup(const std::string& sql);
  // Declares that `table` (in database `db`) is recorded; `select_override` maps a column to the
  // SQL expression recorded for it instead of the default (HEX() for binary columns,
  // HEX(ST_AsBinary()) for geometry, col+0 for BIT, col+0e0 for FLOAT) and its "expect" mode.
  void Table(const std::string& scenario, const std::string& db, const std::string& table,
             std::map<std::string, std::pair<std::string, std::string>> select_override = {});
  // Runs `sql` (a multi-statement string; `prefix` such as "SET SESSION binlog_row_image='MINIMAL';"
  // goes first) and records the table's rows after it. `image` names the row image mode.
  void Step(const std::string& table, const std::string& sql, const std::string& image = "FULL",
            const std::string& prefix = "");
  // Reads the binlog and writes `<dir>/<scenario>.json` (+ `<scenario>-<n>.event` files).
  // Returns false with a message on failure.
  bool Write(const std::string& dir, std::string* error);

 private:
  struct TableInfo {
    std::string scenario, db, select;
    nlohmann::json description;
  };
  struct StepInfo {
    std::string table, sql, image;
    uint64_t from = 0, to = 0;  // binlog positions around the step
    nlohmann::json rows;
  };
  uint64_t BinlogPosition();
  nlohmann::json Snapshot(const TableInfo& t);

  MariaDBServer* server_;
  std::map<std::string, TableInfo> tables_;
  std::vector<StepInfo> steps_;
  std::string binlog_file_;
};

}  // namespace weft::test
