#include "source/mysql/sql/schema_graph.h"

#include <cstdlib>
#include <map>

namespace weft::source::mysql {

core::Result<SchemaGraph> LoadSchemaGraph(Connection& conn, const std::string& database) {
  SchemaGraph graph;
  graph.database = database;
  const std::string db = conn.Quote(database);
  // TABLE_ROWS is InnoDB's sampled estimate (exact for MyISAM); NULL or 0 before any statistics.
  WEFT_ASSIGN_OR_RETURN(auto tables, conn.Query("SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
                                                "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = " +
                                                db + " ORDER BY TABLE_NAME"));
  std::map<std::string, size_t> index;
  for (const auto& row : tables) {
    if (row.size() < 2 || !row[0]) continue;
    SchemaTable t;
    t.name = *row[0];
    // InnoDB reports 0 for a table it has not sampled yet as well as for an empty one: both read
    // as "unknown", which the proposal says instead of dividing by zero.
    if (row[1] && *row[1] != "0") t.estimated_rows = std::strtod(row[1]->c_str(), nullptr);
    index[t.name] = graph.tables.size();
    graph.tables.push_back(std::move(t));
  }
  WEFT_ASSIGN_OR_RETURN(auto columns, conn.Query("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
                                                 "WHERE TABLE_SCHEMA = " +
                                                 db + " ORDER BY TABLE_NAME, ORDINAL_POSITION"));
  for (const auto& row : columns) {
    if (row.size() < 2 || !row[0] || !row[1]) continue;
    if (auto it = index.find(*row[0]); it != index.end()) graph.tables[it->second].columns.push_back(*row[1]);
  }
  WEFT_ASSIGN_OR_RETURN(auto keys, conn.Query("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                                              "WHERE CONSTRAINT_NAME = 'PRIMARY' AND TABLE_SCHEMA = " +
                                              db + " ORDER BY TABLE_NAME, ORDINAL_POSITION"));
  for (const auto& row : keys) {
    if (row.size() < 2 || !row[0] || !row[1]) continue;
    if (auto it = index.find(*row[0]); it != index.end()) graph.tables[it->second].primary_key.push_back(*row[1]);
  }
  // Foreign keys into the same database only: a view's lookups read tables of its source's database.
  // KEY_COLUMN_USAGE alone: MariaDB shows REFERENTIAL_CONSTRAINTS rows only to users with more than
  // SELECT on the table, and the referenced table and columns are here anyway.
  WEFT_ASSIGN_OR_RETURN(
      auto fks,
      conn.Query("SELECT CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, "
                 "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                 "WHERE TABLE_SCHEMA = " +
                 db + " AND REFERENCED_TABLE_SCHEMA = " + db +
                 " AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"));
  for (const auto& row : fks) {
    if (row.size() < 5 || !row[0] || !row[1] || !row[2] || !row[3] || !row[4]) continue;
    if (!index.count(*row[1]) || !index.count(*row[3])) continue;
    if (graph.relations.empty() || graph.relations.back().constraint != *row[0] ||
        graph.relations.back().child != *row[1]) {
      SchemaRelation r;
      r.constraint = *row[0];
      r.child = *row[1];
      r.parent = *row[3];
      graph.relations.push_back(std::move(r));
    }
    graph.relations.back().child_columns.push_back(*row[2]);
    graph.relations.back().parent_columns.push_back(*row[4]);
  }
  return graph;
}

}  // namespace weft::source::mysql
