#pragma once
// The seeds' e-commerce schema and the orderSingleView config, for end-to-end tests.

#include <sqlite3.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "integration/harness/mariadb_server.h"

namespace weft::test {

// Creates database `db` with the six tables of tests/data/seeds/schema.sql.
void CreateSeedSchema(MariaDBServer& server, const std::string& db = "shop");
// The statements of one "-- step: NAME" of tests/data/seeds/scenario.sql.
std::string SeedScenarioStep(const std::string& name);
std::vector<std::string> SeedScenarioStepNames();

// The seeds' full order view (all six tables) as a [[views]] table writing to `sink`.
std::string SeedOrderView(const std::string& sink = "local");

// Writes `dir`/weft.toml: source "shop" on the server (user root), the seeds' full view
// order_single_view into a SQLite sink at `dir`/docs.db, state at `dir`/state.db. `extra` is
// appended verbatim. Returns the config path.
std::string WriteSeedConfig(const std::string& dir, const MariaDBServer& server, const std::string& extra = "");

struct SeedConfigOptions {
  std::string view_sink = "local";  // the sink order_single_view writes to ("local" is the SQLite one)
  std::string state_extra;          // lines for the [state] table ("outbox_limit = 50")
  std::string extra;                // appended verbatim (more [sinks.X], [[views]])
};
std::string WriteSeedConfig(const std::string& dir, const MariaDBServer& server, const SeedConfigOptions& options);

// Reads the documents of a SQLite-sink collection: id -> doc JSON text. Empty when the file or the
// table does not exist yet.
std::map<std::string, std::string> ReadSqliteDocs(const std::string& path, const std::string& collection);

}  // namespace weft::test
