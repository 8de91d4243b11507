// Differential tests of the PostgreSQL source: the shared random workload (inserts, updates,
// deletes, join-key and primary-key changes, multi-statement transactions) against a live
// `weft run`, with damage in between: SIGKILL of weft, the walsender terminated, PostgreSQL
// restarted under weft, a transaction bigger than a batch. Afterwards `weft verify` (an
// independent join computed from PostgreSQL) must find zero differences.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <memory>

#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/postgres/pg_fixture.h"

using namespace weft::test;

namespace {

void ExpectConverged(PostgresServer& server, const std::string& config, const std::string& dir, WeftProcess& weft) {
  // Generous: a change that fans out to every document (a seller all items name, inserted after the
  // snapshot) takes a while under the sanitizers; convergence is what is checked, not speed.
  WeftResult verify = VerifyEventually(config, 240);
  CHECK_MESSAGE(verify.exit_code == 0, "verify: " << verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  CHECK(weft.running());
  int orders = std::stoi(server.QueryValue("SELECT count(*) FROM ecom_orders"));
  CHECK(ReadSqliteDocs(dir + "/docs.db", "orderSingleView").size() == static_cast<size_t>(orders));
}

}  // namespace

TEST_CASE("postgresql differential: random workload, snapshot then stream, a transaction in parts") {
  for (unsigned seed : {11u, 12u}) {
    CAPTURE(seed);
    PostgresServer server;
    StartShop(server);
    CreatePgSeedSchema(server);
    std::string dir = MakeTempDir("weft-pg-diff-");
    // Small batches, so that ordinary transactions arrive in parts too.
    std::string config = WritePgSeedConfig(dir, server);
    Workload workload(seed);
    for (int i = 0; i < 100; ++i) server.TryExecute(PgTransaction(workload));
    WeftProcess weft;
    REQUIRE(weft.Start({"run", "-c", config}, dir));
    for (int i = 0; i < 300; ++i) server.TryExecute(PgTransaction(workload));
    // One transaction of 3 x 5000 rows: more than SourceOptions::max_batch_changes (1024).
    server.Execute(
        "BEGIN;"
        "INSERT INTO ecom_customers SELECT 'BC' || g, 'U', '0100', 'Rio', 'RJ' FROM generate_series(1, 5000) g;"
        "INSERT INTO ecom_orders SELECT 'B' || g, 'BC' || g, 'created', '2024-11-02 10:20:00', NULL, NULL, NULL, "
        "'2024-11-10' FROM generate_series(1, 5000) g;"
        "UPDATE ecom_customers SET customer_city = 'Curitiba' WHERE customer_id LIKE 'BC%';"
        "COMMIT;");
    for (int i = 0; i < 100; ++i) server.TryExecute(PgTransaction(workload));
    ExpectConverged(server, config, dir, weft);
    weft.Signal(SIGTERM);
    CHECK(weft.Wait(10000) == 0);
    RemoveTree(dir);
  }
}

TEST_CASE("postgresql crash safety: SIGKILL of weft mid-stream, restarts converge") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server);
  std::string dir = MakeTempDir("weft-pg-kill-");
  std::string config = WritePgSeedConfig(dir, server);
  PgBackgroundWorkload load(server, 21, 2);
  auto weft = std::make_unique<WeftProcess>();
  REQUIRE(weft->Start({"run", "-c", config}, dir));
  for (int round = 0; round < 3; ++round) {
    usleep(1500 * 1000);
    weft->Signal(SIGKILL);
    weft->Wait(5000);
    weft = std::make_unique<WeftProcess>();
    REQUIRE(weft->Start({"run", "-c", config}, dir));
  }
  usleep(1000 * 1000);
  int ran = load.Stop();
  CHECK(ran > 20);
  ExpectConverged(server, config, dir, *weft);
  // After a kill the slot is confirmed only as far as the state committed: no restart found the
  // slot past its offset.
  CHECK(weft->CountLog("cannot be resumed") == 0);
  weft->Signal(SIGTERM);
  CHECK(weft->Wait(10000) == 0);
  RemoveTree(dir);
}

TEST_CASE("postgresql: the walsender terminated and the server restarted under weft") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server);
  std::string dir = MakeTempDir("weft-pg-term-");
  std::string config = WritePgSeedConfig(dir, server);
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE(weft.WaitForLog("streaming slot", 20000));
  {
    PgBackgroundWorkload load(server, 31, 2);
    usleep(1000 * 1000);
    server.Execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'weft_shop'");
    CHECK_MESSAGE(weft.WaitForLog("reconnecting", 10000), weft.Stderr());
    CHECK(weft.WaitForLog("streaming slot", 20000, 2));
    usleep(1000 * 1000);
    load.Stop();
  }
  ExpectConverged(server, config, dir, weft);

  server.Stop();
  REQUIRE_MESSAGE(server.StartAgain(), server.error());
  CHECK_MESSAGE(weft.WaitForLog("streaming slot", 60000, 3), weft.Stderr());
  Workload more(32);
  for (int i = 0; i < 100; ++i) server.TryExecute(PgTransaction(more));
  ExpectConverged(server, config, dir, weft);
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  RemoveTree(dir);
}

TEST_CASE("postgresql: SIGKILL during the snapshot restarts it cleanly") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server);
  server.Execute(
      "SET ROLE weft;"
      "INSERT INTO ecom_customers SELECT 'BC' || g, 'U', '0100', 'Rio', 'RJ' FROM generate_series(1, 20000) g;"
      "INSERT INTO ecom_products SELECT 'BP' || g, 'cat', g, 10, 10, 10 FROM generate_series(1, 1000) g;"
      "INSERT INTO ecom_orders SELECT 'B' || g, 'BC' || (1 + g % 20000), 'created', '2024-11-02 10:20:00', "
      "  NULL, NULL, NULL, '2024-11-10' FROM generate_series(1, 60000) g;"
      "INSERT INTO ecom_order_items SELECT 'B' || g, 1, 'BP' || (1 + g % 1000), 'S1', '2024-11-05', 9.99, 1.5 "
      "  FROM generate_series(1, 60000) g;");
  std::string dir = MakeTempDir("weft-pg-snapkill-");
  std::string config = WritePgSeedConfig(dir, server);
  auto weft = std::make_unique<WeftProcess>();
  REQUIRE(weft->Start({"run", "-c", config}, dir));
  REQUIRE(weft->WaitForLog("created replication slot", 20000));
  usleep(200 * 1000);
  bool killed_midway = weft->CountLog("snapshot done") == 0;
  weft->Signal(SIGKILL);
  weft->Wait(5000);
  // Changes while weft is down: some before the new snapshot, none lost after it.
  Workload workload(51);
  for (int i = 0; i < 50; ++i) server.TryExecute(PgTransaction(workload));
  weft = std::make_unique<WeftProcess>();
  REQUIRE(weft->Start({"run", "-c", config}, dir));
  if (killed_midway) CHECK(weft->WaitForLog("starting a consistent snapshot", 10000));
  for (int i = 0; i < 50; ++i) server.TryExecute(PgTransaction(workload));
  ExpectConverged(server, config, dir, *weft);
  weft->Signal(SIGTERM);
  CHECK(weft->Wait(10000) == 0);
  RemoveTree(dir);
}
