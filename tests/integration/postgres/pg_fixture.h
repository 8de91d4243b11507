#pragma once
// The seeds' schema and workload over a throwaway PostgreSQL (integration/harness/postgres_server.h)
// for the PostgreSQL source's end-to-end tests: the six e-commerce tables of
// tests/data/seeds/schema.sql in PostgreSQL's dialect, owned by the role weft (so weft may create
// its publication), a config whose source "shop" is kind "postgresql", and the shared random
// workload (integration/harness/workload.h) rewritten for PostgreSQL.

#include <atomic>
#include <string>
#include <thread>

#include "integration/harness/postgres_server.h"
#include "integration/harness/workload.h"

namespace weft::test {

// Starts the server with database shop and role weft; a test that cannot start one fails with the
// reason (CI installs postgresql-15).
void StartShop(PostgresServer& server);
// The seeds' six tables (and, with `sample`, tests/data/seeds/sample_data.sql), created as weft.
void CreatePgSeedSchema(PostgresServer& server, bool sample = false);
// `dir`/weft.toml: source "shop" (kind postgresql, role weft), the seeds' order view into the SQLite
// sink `dir`/docs.db, state `dir`/state.db; `source_extra` lines go into [sources.shop], `extra` at
// the end. Returns the config path.
std::string WritePgSeedConfig(const std::string& dir, const PostgresServer& server,
                              const std::string& source_extra = "", const std::string& extra = "");
// Workload::NextTransaction in PostgreSQL's dialect (ON CONFLICT DO NOTHING for INSERT IGNORE,
// numeric division for money).
std::string PgTransaction(Workload& workload);

// Runs PgTransaction(Workload(seed)) against `server` on its own thread until stopped; statements
// the server refuses (a duplicate key) are part of the workload and ignored.
class PgBackgroundWorkload {
 public:
  PgBackgroundWorkload(PostgresServer& server, unsigned seed, int pause_ms = 0);
  ~PgBackgroundWorkload() { Stop(); }
  PgBackgroundWorkload(const PgBackgroundWorkload&) = delete;
  PgBackgroundWorkload& operator=(const PgBackgroundWorkload&) = delete;
  int Stop();  // after the transaction in flight; how many ran
  int done() const { return done_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> done_{0};
  std::thread thread_;
};

}  // namespace weft::test
