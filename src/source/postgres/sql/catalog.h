#pragma once
// The catalog of one PostgreSQL schema as weft needs it: each base table's columns with their type
// OIDs (what decodes their values), primary key and replica identity, from pg_catalog (readable by
// every role), and the types of the database (pg_type) for the value decoder.
// Blocks on the connection; one thread.

#include <map>
#include <string>
#include <vector>

#include "change/table_schema.h"
#include "config/config.h"
#include "core/status.h"
#include "source/postgres/decode/pg_types.h"
#include "source/postgres/sql/pg_connection.h"
#include "source/source.h"

namespace weft::source::postgres {

struct PgTable {
  change::TableSchemaPtr schema;   // db = the database; ColumnSchema::type = format_type(), e.g. "numeric(10,2)"
  std::vector<Oid> types;          // per column
  std::vector<int32_t> typmods;    // per column
  std::vector<TypeInfo> decoders;  // per column, resolved through the registry
  uint32_t relid = 0;
  char replica_identity = 'd';  // pg_class.relreplident: d default (primary key), n, f full, i index
};
using PgTables = std::map<std::string, PgTable>;  // by table name

core::Result<TypeRegistryPtr> LoadTypes(PgConnection& conn);

// The base tables of `schema`; only those in `only` when it is not empty (missing ones are simply
// absent: the caller reports them).
core::Result<PgTables> LoadTables(PgConnection& conn, const std::string& database, const std::string& schema,
                                  const std::vector<std::string>& only, const TypeRegistry& types);

core::Result<SourceCatalog> LoadCatalog(PgConnection& conn, const config::SourceConfig& config);
// Connects with `config` and reads the catalog of config.schema.
core::Result<SourceCatalog> LoadCatalog(const config::SourceConfig& config);

}  // namespace weft::source::postgres
