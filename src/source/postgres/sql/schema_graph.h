#pragma once
// Reads the SchemaGraph (source/schema_graph.h) of one PostgreSQL schema for `weft init`: ordinary
// and partitioned tables with their columns (pg_attribute), primary keys and the foreign keys
// between tables of the schema (pg_constraint), and the row estimates of pg_class.reltuples.
// pg_catalog is readable by every role. Blocks on the connection; one thread. Errors: the failed
// query's Status.

#include <string>

#include "core/status.h"
#include "source/postgres/sql/pg_connection.h"
#include "source/schema_graph.h"

namespace weft::source::postgres {

core::Result<SchemaGraph> LoadSchemaGraph(PgConnection& conn, const std::string& database, const std::string& schema);

}  // namespace weft::source::postgres
