#pragma once
// What a PostgreSQL server must offer weft, checked the same way by `weft check` and by the
// source before it streams (Start refuses with the same messages):
//   wal_level = logical; a free replication slot (unless weft's slot exists) and a free WAL sender;
//   the REPLICATION attribute (or superuser); SELECT on every captured table; each captured table
//   identifiable in the stream (a primary key, or REPLICA IDENTITY FULL); the publication, when it
//   exists, publishing every captured table and insert/update/delete/truncate; when it does not,
//   the right to create it (CREATE on the database and ownership of the tables).
// Each problem names its fix (the ALTER SYSTEM / ALTER ROLE / GRANT / ALTER TABLE to run).
// Blocks on the connection; one thread.

#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "source/postgres/sql/pg_connection.h"

namespace weft::source::postgres {

struct PgServerCheck {
  std::string version;                // SHOW server_version
  std::vector<std::string> problems;  // each names its fix
  std::vector<std::string> notes;     // what weft will do itself (create the publication or slot)
  bool publication_exists = false;
  bool slot_exists = false;
  bool ok() const { return problems.empty(); }
  // FailedPrecondition listing every problem (for Start), Ok when there is none.
  core::Status ToStatus(const config::SourceConfig& config) const;
};

// `tables`: the captured tables (empty: every table of config.schema). `will_snapshot`: the caller
// is about to take a snapshot, which (re)creates the slot after adding missing tables to the
// publication; otherwise an existing slot is resumed, and a publication lacking a table is a problem.
core::Result<PgServerCheck> CheckPgServer(PgConnection& conn, const config::SourceConfig& config,
                                          const std::vector<std::string>& tables, bool will_snapshot = false);

// The tables to capture: `tables` when not empty, else every base table of config.schema.
core::Result<std::vector<std::string>> CapturedTables(PgConnection& conn, const config::SourceConfig& config,
                                                      const std::vector<std::string>& tables);

// "CREATE PUBLICATION "p" FOR TABLE "s"."a", "s"."b"" for the captured tables.
std::string CreatePublicationSql(const PgConnection& conn, const config::SourceConfig& config,
                                 const std::vector<std::string>& tables);

// Creates the publication when it is missing; adds captured tables it lacks when `may_add` (before
// the slot is created, so the slot sees them from its first change). Without the privilege the
// error says exactly what to run. NotFound-free: an existing publication that lacks a table while
// !may_add is DataLoss (the slot never carried that table's changes).
core::Status EnsurePublication(PgConnection& conn, const config::SourceConfig& config,
                               const std::vector<std::string>& tables, bool may_add);

}  // namespace weft::source::postgres
