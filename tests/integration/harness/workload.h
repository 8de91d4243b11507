#pragma once
// The random workload over the seeds' six tables that the differential and resilience tests share:
// inserts, updates, deletes, join-key changes, primary-key changes, children before parents and
// multi-statement transactions, over small key pools (orders O1..O30, customers C1..C12, products
// P1..P8, sellers S1..S5) so that changes collide. Deterministic per seed.
//
// BackgroundWorkload runs one on its own thread against a server until stopped, so a test can do
// damage (kill weft, lock the sink) while the source keeps changing.

#include <atomic>
#include <random>
#include <string>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

namespace weft::test {

class Workload {
 public:
  explicit Workload(unsigned seed) : rng_(seed) {}
  // One source transaction of 1-4 statements (BEGIN ... COMMIT when more than one), for database
  // `shop` already selected ("USE shop;\n" + NextTransaction()).
  std::string NextTransaction();

 private:
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string Id(const char* prefix, int pool);
  std::string City();
  std::string Money();
  std::string NextStatement();

  std::mt19937 rng_;
};

class BackgroundWorkload {
 public:
  // Starts running transactions of Workload(seed) against `server` (database shop), one every
  // `pause_ms` (0: back to back). Statements the server refuses (a duplicate key, say) are part of
  // the workload and ignored.
  BackgroundWorkload(MariaDBServer& server, unsigned seed, int pause_ms = 0);
  ~BackgroundWorkload();  // Stop()
  BackgroundWorkload(const BackgroundWorkload&) = delete;
  BackgroundWorkload& operator=(const BackgroundWorkload&) = delete;
  // Stops after the transaction in flight; returns how many transactions ran.
  int Stop();
  int done() const { return done_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> done_{0};
  std::thread thread_;
};

// Bulk-loads `orders` orders into shop (ids B1..Bn) with one item and one payment each, over
// orders/10 customers (BC*), 1,000 products (BP*) and 100 sellers (BS*), with INSERT ... SELECT from
// MariaDB's SEQUENCE engine: a snapshot big enough to be interrupted, loaded in a second or two.
// The keys are disjoint from Workload's pools, so both can run on one database.
void LoadBulkOrders(MariaDBServer& server, int orders);

// Runs `weft verify -c config` until it exits 0 or `seconds` pass (weft may still be catching up);
// returns the last result.
WeftResult VerifyEventually(const std::string& config, int seconds);

}  // namespace weft::test
