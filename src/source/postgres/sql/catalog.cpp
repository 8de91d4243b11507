#include "source/postgres/sql/catalog.h"

#include <algorithm>
#include <memory>

namespace weft::source::postgres {

core::Result<TypeRegistryPtr> LoadTypes(PgConnection& conn) {
  // A few hundred rows in a fresh database: cheaper to read them all than to chase OIDs.
  WEFT_ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT oid, typname, typtype, typcategory, typelem, typbasetype, "
                                              "typdelim FROM pg_catalog.pg_type"));
  auto registry = std::make_shared<TypeRegistry>();
  for (int i = 0; i < r.rows(); ++i) {
    PgTypeRow row;
    row.oid = static_cast<Oid>(std::stoul(std::string(r.Get(i, 0))));
    row.name = std::string(r.Get(i, 1));
    row.typtype = r.Get(i, 2).empty() ? 'b' : r.Get(i, 2)[0];
    row.category = r.Get(i, 3).empty() ? 'U' : r.Get(i, 3)[0];
    row.element = static_cast<Oid>(std::stoul(std::string(r.Get(i, 4))));
    row.base = static_cast<Oid>(std::stoul(std::string(r.Get(i, 5))));
    row.delimiter = r.Get(i, 6).empty() ? ',' : r.Get(i, 6)[0];
    registry->Add(row);
  }
  return TypeRegistryPtr(registry);
}

core::Result<PgTables> LoadTables(PgConnection& conn, const std::string& database, const std::string& schema,
                                  const std::vector<std::string>& only, const TypeRegistry& types) {
  // indkey is an int2vector (subscripts from 0): array_position gives the column's place in the key.
  std::string sql =
      "SELECT c.relname, c.oid, c.relreplident, a.attname, a.atttypid, a.atttypmod, "
      "format_type(a.atttypid, a.atttypmod), a.attnotnull, "
      "(SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_catalog.pg_index i "
      "  WHERE i.indrelid = c.oid AND i.indisprimary) "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
      "WHERE n.nspname = " +
      conn.QuoteLiteral(schema) + " AND c.relkind = 'r' ORDER BY c.relname, a.attnum";
  WEFT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(sql));
  PgTables tables;
  std::map<std::string, std::shared_ptr<change::TableSchema>> schemas;
  std::map<std::string, std::vector<std::pair<int, int>>> keys;  // table -> (key position, column)
  for (int i = 0; i < r.rows(); ++i) {
    std::string name(r.Get(i, 0));
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    PgTable& t = tables[name];
    auto& s = schemas[name];
    if (!s) {
      s = std::make_shared<change::TableSchema>();
      s->db = database;
      s->table = name;
      t.relid = static_cast<uint32_t>(std::stoul(std::string(r.Get(i, 1))));
      t.replica_identity = r.Get(i, 2).empty() ? 'd' : r.Get(i, 2)[0];
    }
    change::ColumnSchema col;
    col.name = std::string(r.Get(i, 3));
    Oid type = static_cast<Oid>(std::stoul(std::string(r.Get(i, 4))));
    col.type = std::string(r.Get(i, 6));
    col.nullable = r.Get(i, 7) != "t";
    TypeInfo decoder = types.Resolve(type);
    col.is_json = decoder.cls == TypeClass::kJson;
    if (!r.IsNull(i, 8))
      keys[name].push_back({std::stoi(std::string(r.Get(i, 8))), static_cast<int>(s->columns.size())});
    s->columns.push_back(std::move(col));
    t.types.push_back(type);
    t.typmods.push_back(std::stoi(std::string(r.Get(i, 5))));
    t.decoders.push_back(std::move(decoder));
  }
  for (auto& [name, s] : schemas) {
    auto& k = keys[name];
    std::sort(k.begin(), k.end());
    for (const auto& [pos, column] : k) s->primary_key.push_back(column);
    tables[name].schema = s;
  }
  return tables;
}

core::Result<SourceCatalog> LoadCatalog(PgConnection& conn, const config::SourceConfig& config) {
  TypeRegistry none;
  WEFT_ASSIGN_OR_RETURN(PgTables tables, LoadTables(conn, config.database, config.schema, {}, none));
  SourceCatalog catalog;
  catalog.database = config.database;
  for (const auto& [name, t] : tables) {
    std::vector<std::string>& columns = catalog.tables[name];
    for (const auto& c : t.schema->columns) columns.push_back(c.name);
    if (t.schema->primary_key.empty()) catalog.keyless.insert(name);
  }
  return catalog;
}

core::Result<SourceCatalog> LoadCatalog(const config::SourceConfig& config) {
  WEFT_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Open(config, false));
  return LoadCatalog(conn, config);
}

}  // namespace weft::source::postgres
