#pragma once
// The aggregate suite's shop (customers, orders), its four aggregate views (seed 002's revenue per
// country from the orders side and from the customers side, seed 003's per-minute sales with a
// having, and top spenders per minute), the SQL GROUP BY oracle that computes every expected
// document on the source MariaDB, and a random workload aimed at what retractions get wrong.

#include <map>
#include <random>
#include <string>
#include <vector>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

namespace weft::test {

void CreateAggShop(MariaDBServer& server, int customers, int orders, uint32_t seed);
// Writes dir/weft.toml (state dir/state.db, SQLite sink dir/docs.db); returns its path.
std::string WriteAggConfig(const std::string& dir, const MariaDBServer& server);

extern const std::vector<std::string> kAggViews;
// The documents view `view` must hold now: id (as the SQLite sink keys it) -> JSON text.
std::map<std::string, std::string> OracleDocs(MariaDBServer& server, const std::string& view);

// Polls the sink until every view equals the oracle (the source must be quiet) or timeout; returns
// "" when equal, else a description of the first difference per view.
std::string WaitConverged(MariaDBServer& server, const std::string& docs_path, int timeout_ms, WeftProcess* weft);

class AggWorkload {
 public:
  explicit AggWorkload(uint32_t seed) : rng_(seed) {}
  // One transaction of 1-4 random statements.
  std::string NextTransaction();

 private:
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string RandomCountry();
  std::string Statement();
  std::mt19937 rng_;
  int next_order_ = 100000;
  int next_customer_ = 1000;
  int new_countries_ = 0;
};

}  // namespace weft::test
