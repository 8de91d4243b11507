// A big group's documents (a catch-up) go to the sink while they are built, before the group's
// state commits, instead of through the outbox (src/pipeline/write_stream.h). What that must not
// cost: a SIGKILL in the middle leaves the sink holding documents of a group that never committed,
// and the restart must apply the same changes again and write every document; a sink that stops
// taking writes in the middle must get what it did not take through the outbox. Each case ends with
// every embedded value compared with MariaDB and `weft verify`.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/sqlite_probe.h"
#include "integration/harness/state_probe.h"
#include "integration/harness/weft_process.h"
#include "integration/harness/workload.h"

using namespace weft::test;

namespace {

constexpr int kOrders = 30000;  // every bulk order embeds one of 1,000 products

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The sum of the embedded product weights over the bulk orders' documents in the sink: an UPDATE
// adding 1 to every bulk product's weight raises it by one per rewritten document.
long long SinkWeights(const std::string& dir) {
  return QuerySqliteInt(dir + "/docs.db",
                        "SELECT SUM(json_extract(doc, '$.order_items[0].product.product_weight_g')) "
                        "FROM orderSingleView WHERE id LIKE 'B%'");
}

// Documents whose embedded product weight differs from MariaDB's (or that are missing).
size_t StaleDocuments(MariaDBServer& server, const std::string& dir) {
  std::map<std::string, std::string> weights;
  for (const auto& row : server.Query("SELECT product_id, product_weight_g FROM shop.ecom_products")) {
    weights[*row[0]] = *row[1];
  }
  auto embedded = QuerySqlite(dir + "/docs.db",
                              "SELECT json_extract(doc, '$.order_items[0].product.product_id'), "
                              "json_extract(doc, '$.order_items[0].product.product_weight_g') "
                              "FROM orderSingleView WHERE id LIKE 'B%'");
  size_t stale = kOrders - embedded.size();
  for (const auto& row : embedded) stale += !row[0] || !row[1] || weights[*row[0]] != *row[1];
  return stale;
}

// Waits until at least `at_least` of the UPDATE's rewritten documents are in the sink (counted from
// `weights_before`); returns how many there were then.
long long WaitForRewritten(const std::string& dir, long long weights_before, long long at_least, WeftProcess& weft) {
  long long in_sink = 0;
  for (int i = 0; i < 6000 && in_sink < at_least; ++i, SleepMs(10)) in_sink = SinkWeights(dir) - weights_before;
  REQUIRE_MESSAGE(in_sink >= at_least, weft.Stderr());
  return in_sink;
}

constexpr const char* kBumpWeights =
    "UPDATE shop.ecom_products SET product_weight_g = product_weight_g + 1 WHERE product_id LIKE 'BP%'";

}  // namespace

TEST_CASE("SIGKILL while a catch-up's documents go straight to the sink: the restart writes them all again") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  LoadBulkOrders(server, kOrders);
  std::string dir = MakeTempDir("weft-direct-kill-");
  std::string config = WriteSeedConfig(dir, server);
  {
    WeftProcess weft;
    StartAndSnapshot(weft, config, dir);
    weft.Signal(SIGTERM);
    REQUIRE(weft.Wait(15000) == 0);
  }
  std::mt19937 rng(20261202);
  for (int round = 0; round < 3; ++round) {
    // While weft is down: one transaction that rewrites all 30,000 documents, so the restart meets
    // it as one big group.
    const std::string offset = StoredOffset(dir);
    const long long before = SinkWeights(dir);
    server.Execute(kBumpWeights);
    WeftProcess weft;
    REQUIRE(weft.Start({"run", "-c", config}, dir));
    long long at_least = std::uniform_int_distribution<long long>(500, 15000)(rng);
    long long in_sink = WaitForRewritten(dir, before, at_least, weft);
    long long depth = OutboxDepth(dir);
    weft.Signal(SIGKILL);
    REQUIRE(weft.Wait(10000) == -1);
    MESSAGE("round " << round << ": SIGKILL with " << in_sink << " of " << kOrders
                     << " rewritten documents in the sink, " << depth << " writes in the outbox");
    // The documents reached the sink without passing the outbox (which would have held all of
    // them before the sink got the first).
    CHECK(depth < 1000);
    // The group had not committed: its offset is where it was, unless the kill came after all of
    // its documents were written (then the group may have committed just before).
    if (in_sink < kOrders / 2) CHECK(StoredOffset(dir) == offset);
  }
  // Some rounds' documents never committed: the restart applies all three UPDATEs again.
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  WeftResult verify = VerifyEventually(config, 120);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  CHECK(StaleDocuments(server, dir) == 0);
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(15000) == 0);
  CHECK(OutboxDepth(dir) == 0);
  if (!getenv("WEFT_TEST_KEEP")) RemoveTree(dir);
}

TEST_CASE("the sink locked while a big group's documents go straight to it: the rest goes through the outbox") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  LoadBulkOrders(server, kOrders);
  std::string dir = MakeTempDir("weft-direct-lock-");
  std::string config = WriteSeedConfig(dir, server);
  WeftProcess weft;
  StartAndSnapshot(weft, config, dir);
  // One UPDATE rewrites 30,000 documents in one group; the sink is locked once the first of them
  // arrived. A group that finished before the lock took hold proves nothing: go again.
  long long bumps = 0, depth = 0;
  const long long weights_at_start = SinkWeights(dir);
  for (int attempt = 0; attempt < 5 && depth == 0; ++attempt) {
    const long long before = SinkWeights(dir);
    server.Execute(kBumpWeights);
    ++bumps;
    WaitForRewritten(dir, before, 1, weft);
    SqliteWriteLock lock;
    REQUIRE_MESSAGE(lock.Acquire(dir + "/docs.db"), lock.error());
    long long in_sink = SinkWeights(dir) - before;
    if (in_sink == kOrders) continue;
    // A write the sink cannot make sends the rest of the group to the outbox, committed with the
    // group's offset; the writer retries from there once the lock is gone.
    for (int i = 0; i < 3000 && depth == 0; ++i, SleepMs(10)) depth = OutboxDepth(dir);
    MESSAGE("the sink was locked with " << in_sink << " rewritten documents in it; the outbox then held " << depth);
    CHECK_MESSAGE(depth > 0, weft.Stderr());
    SleepMs(1000);
  }
  REQUIRE_MESSAGE(depth > 0, "every group finished before the lock took hold");
  WeftResult verify = VerifyEventually(config, 120);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  CHECK(StaleDocuments(server, dir) == 0);
  CHECK(SinkWeights(dir) - weights_at_start == bumps * kOrders);  // every document has every bump
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(15000) == 0);
  CHECK(OutboxDepth(dir) == 0);
  if (!getenv("WEFT_TEST_KEEP")) RemoveTree(dir);
}
