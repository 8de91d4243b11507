#include "source/postgres/sql/schema_graph.h"

#include <cstdlib>
#include <map>

namespace weft::source::postgres {

core::Result<SchemaGraph> LoadSchemaGraph(PgConnection& conn, const std::string& database, const std::string& schema) {
  SchemaGraph graph;
  graph.database = database;
  const std::string nsp = conn.QuoteLiteral(schema);
  // reltuples is -1 (PostgreSQL 14+) or 0 for a table never vacuumed or analyzed: both "unknown".
  WEFT_ASSIGN_OR_RETURN(
      PgResult tables,
      conn.Exec("SELECT c.relname, c.reltuples FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = " +
                nsp + " AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname"));
  std::map<std::string, size_t> index;
  for (int i = 0; i < tables.rows(); ++i) {
    SchemaTable t;
    t.name = std::string(tables.Get(i, 0));
    double rows = std::strtod(std::string(tables.Get(i, 1)).c_str(), nullptr);
    if (rows > 0) t.estimated_rows = rows;
    index[t.name] = graph.tables.size();
    graph.tables.push_back(std::move(t));
  }
  WEFT_ASSIGN_OR_RETURN(
      PgResult columns,
      conn.Exec("SELECT c.relname, a.attname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND "
                "a.attnum > 0 AND NOT a.attisdropped WHERE n.nspname = " +
                nsp + " AND c.relkind IN ('r', 'p') ORDER BY c.relname, a.attnum"));
  for (int i = 0; i < columns.rows(); ++i) {
    if (auto it = index.find(std::string(columns.Get(i, 0))); it != index.end()) {
      graph.tables[it->second].columns.emplace_back(columns.Get(i, 1));
    }
  }
  // One row per key column, in key order: conkey and confkey unnest side by side.
  WEFT_ASSIGN_OR_RETURN(
      PgResult keys,
      conn.Exec("SELECT con.contype, con.conname, c.relname, a.attname, rc.relname, ra.attname "
                "FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord) "
                "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
                "LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid "
                "LEFT JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.fattnum "
                "WHERE n.nspname = " +
                nsp +
                " AND (con.contype = 'p' OR (con.contype = 'f' AND "
                "rc.relnamespace = c.relnamespace)) ORDER BY c.relname, con.conname, k.ord"));
  for (int i = 0; i < keys.rows(); ++i) {
    const std::string table(keys.Get(i, 2));
    auto it = index.find(table);
    if (it == index.end()) continue;
    if (keys.Get(i, 0) == "p") {
      graph.tables[it->second].primary_key.emplace_back(keys.Get(i, 3));
      continue;
    }
    const std::string name(keys.Get(i, 1)), parent(keys.Get(i, 4));
    if (!index.count(parent) || keys.IsNull(i, 5)) continue;
    if (graph.relations.empty() || graph.relations.back().constraint != name || graph.relations.back().child != table) {
      SchemaRelation r;
      r.constraint = name;
      r.child = table;
      r.parent = parent;
      graph.relations.push_back(std::move(r));
    }
    graph.relations.back().child_columns.emplace_back(keys.Get(i, 3));
    graph.relations.back().parent_columns.emplace_back(keys.Get(i, 5));
  }
  return graph;
}

}  // namespace weft::source::postgres
