// Sink outages (issue #4, item 3): the sink is locked, unreachable or failing while changes flow.
// weft must keep the pending writes in its on-disk outbox, retry with back-off, stop reading the
// source at the outbox bound (back-pressure) rather than drop anything, and once the sink returns
// deliver everything: `weft verify` finds zero differences.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/mock_mongo.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/sqlite_probe.h"
#include "integration/harness/state_probe.h"
#include "integration/harness/weft_process.h"
#include "integration/harness/workload.h"

using namespace weft::test;
using Clock = std::chrono::steady_clock;

namespace {

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

TEST_CASE("SQLite sink locked by another writer: the outbox holds the writes, everything arrives after the lock") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  Workload seed(21);
  for (int i = 0; i < 100; ++i) server.TryExecute("USE shop;\n" + seed.NextTransaction());
  std::string dir = MakeTempDir("weft-sqlite-lock-");
  std::string config = WriteSeedConfig(dir, server);
  std::string docs = dir + "/docs.db";

  WeftProcess weft;
  StartAndSnapshot(weft, config, dir);
  {
    BackgroundWorkload workload(server, 22, 5);
    SleepMs(500);
    SqliteWriteLock lock;
    REQUIRE_MESSAGE(lock.Acquire(docs), lock.error());
    // While the sink is locked the source keeps being read: the offset moves and the writes pile
    // up in the outbox on disk.
    std::string offset_at_lock = StoredOffset(dir);
    REQUIRE_MESSAGE(weft.WaitForLog("writes held in the outbox", 15000), weft.Stderr());
    SleepMs(2000);
    long long held = OutboxDepth(dir);
    CHECK(held > 0);
    CHECK(StoredOffset(dir) != offset_at_lock);
    CHECK(weft.running());
    MESSAGE("after ~4 s of lock: " << held << " writes held in the outbox; the offset moved on");
    lock.Release();
    SleepMs(500);
  }
  WeftResult verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  CHECK(weft.CountLog("sink writes succeed again") >= 1);
  CHECK(OutboxDepth(dir) == 0);

  // SIGTERM while the sink is still locked: weft gives up flushing in time, exits 0 within 10 s and
  // leaves the writes in the outbox; the next start sends them before it reads the source.
  SqliteWriteLock lock;
  REQUIRE_MESSAGE(lock.Acquire(docs), lock.error());
  server.Execute("UPDATE shop.ecom_customers SET customer_city = 'Manaus'");
  for (int i = 0; i < 500 && OutboxDepth(dir) == 0; ++i) SleepMs(20);
  REQUIRE(OutboxDepth(dir) > 0);
  auto t = Clock::now();
  weft.Signal(SIGTERM);
  int code = weft.Wait(15000);
  double seconds = std::chrono::duration<double>(Clock::now() - t).count();
  MESSAGE("SIGTERM with the sink locked: exit " << code << " after " << seconds << " s");
  CHECK_MESSAGE(code == 0, weft.Stderr());
  CHECK(seconds < 10.0);
  CHECK_MESSAGE(weft.CountLog("stay in the outbox") == 1, weft.Stderr());
  long long left = OutboxDepth(dir);
  CHECK(left > 0);
  lock.Release();

  WeftProcess again;
  REQUIRE(again.Start({"run", "-c", config}, dir));
  CHECK_MESSAGE(again.WaitForLog("draining " + std::to_string(left) + " document writes left in the outbox", 10000),
                again.Stderr());
  verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << again.Stderr());
  again.Signal(SIGTERM);
  CHECK(again.Wait(10000) == 0);
  if (!getenv("WEFT_TEST_KEEP")) RemoveTree(dir);
}

TEST_CASE("back-pressure: at outbox_limit weft pauses the source, the outbox stays bounded, then converges") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  std::string dir = MakeTempDir("weft-backpressure-");
  SeedConfigOptions options;
  options.state_extra = "outbox_limit = 50";
  std::string config = WriteSeedConfig(dir, server, options);
  server.Execute("INSERT INTO shop.ecom_orders VALUES ('X0', 'C1', 'created', NULL, NULL, NULL, NULL, NULL)");

  WeftProcess weft;
  StartAndSnapshot(weft, config, dir);
  SqliteWriteLock lock;
  REQUIRE_MESSAGE(lock.Acquire(dir + "/docs.db"), lock.error());
  // ~500 row changes in 500 transactions, each rewriting a different document.
  long long max_depth = 0;
  std::thread sampler;
  std::atomic<bool> sampling{true};
  sampler = std::thread([&] {
    while (sampling) {
      max_depth = std::max(max_depth, OutboxDepth(dir));
      SleepMs(10);
    }
  });
  for (int i = 1; i <= 500; ++i) {
    server.Execute("INSERT INTO shop.ecom_orders VALUES ('X" + std::to_string(i) +
                   "', 'C1', 'created', NULL, NULL, NULL, NULL, NULL)");
  }
  CHECK_MESSAGE(weft.WaitForLog("pausing the sources until the sinks catch up", 10000), weft.Stderr());
  // Paused: the offset stands still although the source has more.
  SleepMs(500);
  std::string paused_at = StoredOffset(dir);
  SleepMs(2500);
  CHECK(StoredOffset(dir) == paused_at);
  sampling = false;
  sampler.join();
  MESSAGE("outbox_limit 50: the outbox peaked at " << max_depth << " pending writes with the sink locked");
  // Bounded: the limit, plus what one group commit may bring in before the check (the source
  // queue's 64 batches at most, one document each here); without back-pressure it would reach ~500.
  CHECK(max_depth >= 50);
  CHECK(max_depth <= 50 + 64);
  lock.Release();
  WeftResult verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  CHECK(weft.CountLog("resuming the sources") >= 1);
  CHECK(ReadSqliteDocs(dir + "/docs.db", "orderSingleView").size() == 501);
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  if (!getenv("WEFT_TEST_KEEP")) RemoveTree(dir);
}

TEST_CASE("MongoDB unreachable, failing, then silent, under the workload: retries with back-off, every document arrives") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  Workload seed(31);
  for (int i = 0; i < 100; ++i) server.TryExecute("USE shop;\n" + seed.NextTransaction());
  MockMongo mock;
  REQUIRE_MESSAGE(mock.Start("ok"), mock.error());
  std::string dir = MakeTempDir("weft-mongo-outage-");
  SeedConfigOptions options;
  options.view_sink = "docs";
  options.extra = "[sinks.docs]\nkind = \"mongodb\"\nuri = \"" + mock.Uri() + "\"\ndatabase = \"ecommerce\"\nbatch_size = 50\n";
  std::string config = WriteSeedConfig(dir, server, options);

  WeftProcess weft;
  StartAndSnapshot(weft, config, dir);
  WeftResult verify = VerifyEventually(config, 30);
  REQUIRE_MESSAGE(verify.exit_code == 0, verify.out << verify.err << weft.Stderr());
  {
    BackgroundWorkload workload(server, 32, 5);
    for (const char* outage : {"down hangup", "down error", "down silent"}) {
      CAPTURE(outage);
      SleepMs(500);
      REQUIRE(mock.Control(outage));
      int failures = weft.CountLog("writes held in the outbox");
      CHECK_MESSAGE(weft.WaitForLog("writes held in the outbox", 15000, failures + 1), weft.Stderr());
      SleepMs(1000);
      CHECK(OutboxDepth(dir) > 0);
      REQUIRE(mock.Control("up"));
      int recoveries = weft.CountLog("sink writes succeed again");
      CHECK_MESSAGE(weft.WaitForLog("sink writes succeed again", 40000, recoveries + 1), weft.Stderr());
    }
  }
  // The mock keeps the last write per _id; verify reads it back through find and compares every
  // document with the independent join.
  verify = VerifyEventually(config, 40);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  CHECK(OutboxDepth(dir) == 0);
  CHECK(weft.running());
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  if (!getenv("WEFT_TEST_KEEP")) RemoveTree(dir);
}

// A MongoDB that accepts a bulk write and never answers keeps libmongoc waiting for
// socketTimeoutMS (300 s unless the uri says otherwise). SIGTERM must still end weft within 10 s
// with exit 0; the unacknowledged writes stay in the outbox and arrive on the next start.
TEST_CASE("SIGTERM while MongoDB hangs in the middle of a write (default timeouts): exit 0 within 10 s, nothing lost") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  Workload seed(41);
  for (int i = 0; i < 50; ++i) server.TryExecute("USE shop;\n" + seed.NextTransaction());
  MockMongo mock;
  REQUIRE_MESSAGE(mock.Start("ok"), mock.error());
  std::string dir = MakeTempDir("weft-mongo-hang-");
  SeedConfigOptions options;
  options.view_sink = "docs";
  std::string uri = "mongodb://127.0.0.1:" + std::to_string(mock.port()) + "/?directConnection=true";
  options.extra = "[sinks.docs]\nkind = \"mongodb\"\nuri = \"" + uri + "\"\ndatabase = \"ecommerce\"\n";
  std::string config = WriteSeedConfig(dir, server, options);

  WeftProcess weft;
  StartAndSnapshot(weft, config, dir);
  REQUIRE(VerifyEventually(config, 30).exit_code == 0);
  REQUIRE(mock.Control("down silent"));
  int updates_before = static_cast<int>(mock.Commands("update").size());
  server.Execute("UPDATE shop.ecom_customers SET customer_city = 'Belém'");
  // The write is on the wire and unanswered.
  for (int i = 0; i < 500 && static_cast<int>(mock.Commands("update").size()) == updates_before; ++i) SleepMs(20);
  REQUIRE(static_cast<int>(mock.Commands("update").size()) > updates_before);
  SleepMs(300);
  auto t = Clock::now();
  weft.Signal(SIGTERM);
  int code = weft.Wait(60000);
  double seconds = std::chrono::duration<double>(Clock::now() - t).count();
  MESSAGE("SIGTERM with a write hanging in MongoDB: exit " << code << " after " << seconds << " s");
  CHECK_MESSAGE(code == 0, weft.Stderr());
  CHECK(seconds < 10.0);
  CHECK_MESSAGE(weft.CountLog("leaving its write unacknowledged") == 1, weft.Stderr());
  CHECK(OutboxDepth(dir) > 0);

  REQUIRE(mock.Control("up"));
  WeftProcess again;
  REQUIRE(again.Start({"run", "-c", config}, dir));
  WeftResult verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << again.Stderr());
  again.Signal(SIGTERM);
  CHECK(again.Wait(10000) == 0);
  if (!getenv("WEFT_TEST_KEEP")) RemoveTree(dir);
}
