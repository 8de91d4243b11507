#pragma once
// The catalog of a MySQL/MariaDB database as the views see it (source/source.h SourceCatalog):
// its base tables and their columns, from information_schema (needs only SELECT on the database).
// Blocks on the connection; one thread.

#include <string>

#include "config/config.h"
#include "core/status.h"
#include "source/mysql/sql/connection.h"
#include "source/source.h"

namespace weft::source::mysql {

core::Result<SourceCatalog> LoadCatalog(Connection& conn, const std::string& database);

// Connects with `config` and reads the catalog of config.database. Errors: the connection's
// (Unavailable, FailedPrecondition) or a failed query.
core::Result<SourceCatalog> LoadCatalog(const config::SourceConfig& config);

}  // namespace weft::source::mysql
