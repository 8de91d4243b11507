#pragma once
// Reads the SchemaGraph (source/schema_graph.h) of one MySQL/MariaDB database for `weft init`:
// base tables and columns (information_schema.COLUMNS), primary keys and declared foreign keys
// within the database (information_schema.KEY_COLUMN_USAGE), and the row
// estimates of information_schema.TABLES.TABLE_ROWS. Needs only SELECT on the database.
// Blocks on the connection; one thread. Errors: the failed query's Status.

#include <string>

#include "core/status.h"
#include "source/mysql/sql/connection.h"
#include "source/schema_graph.h"

namespace weft::source::mysql {

core::Result<SchemaGraph> LoadSchemaGraph(Connection& conn, const std::string& database);

}  // namespace weft::source::mysql
