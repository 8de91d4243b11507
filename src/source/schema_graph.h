#pragma once
// SchemaGraph: the tables of one source database as `weft init` sees them, in no database's
// dialect: each base table's columns, primary key and estimated row count, and the N:1 relations
// between tables (declared foreign keys, or guesses from matching key column names). The readers
// live with each source (mysql/sql/schema_graph.h, postgres/sql/schema_graph.h); what is proposed
// from a graph is cli/init/proposal.h. Plain values: no thread or ownership concerns.

#include <string>
#include <vector>

namespace weft::source {

struct SchemaTable {
  std::string name;
  std::vector<std::string> columns;      // in table order
  std::vector<std::string> primary_key;  // in key order; empty: the table has none
  // The server's estimate (MySQL information_schema.TABLES.TABLE_ROWS, PostgreSQL
  // pg_class.reltuples); negative when the server has no statistics yet (never analyzed).
  double estimated_rows = -1;

  bool HasColumn(const std::string& column) const {
    for (const auto& c : columns)
      if (c == column) return true;
    return false;
  }
};

// child.child_columns[i] references parent.parent_columns[i]: each child row has at most one
// parent row, each parent row any number of child rows.
struct SchemaRelation {
  std::string child;
  std::vector<std::string> child_columns;
  std::string parent;
  std::vector<std::string> parent_columns;
  std::string constraint;  // the declared foreign key's name; empty for a guess
  bool guessed = false;    // proposed from column names, not declared by the database
};

struct SchemaGraph {
  std::string database;             // the database read (PostgreSQL: of the schema read)
  std::vector<SchemaTable> tables;  // sorted by name
  std::vector<SchemaRelation> relations;

  const SchemaTable* Find(const std::string& name) const {
    for (const auto& t : tables)
      if (t.name == name) return &t;
    return nullptr;
  }
};

}  // namespace weft::source
