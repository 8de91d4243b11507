// The PostgreSQL source end to end: `weft check`, then `weft run` snapshots the seeds' tables,
// streams the seed's scenario, and `weft verify` (its own queries against PostgreSQL) finds the
// sink equal; the slot is confirmed as the state commits.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/postgres/pg_fixture.h"

using namespace weft::test;

TEST_CASE("postgresql: check, snapshot, the seed scenario streamed, verify equal, slot confirmed") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server, true);
  std::string dir = MakeTempDir("weft-pg-e2e-");
  std::string config = WritePgSeedConfig(dir, server);

  WeftResult check = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(check.exit_code == 0, check.out << check.err);
  CHECK(check.out.find("source shop (127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
  CHECK(check.out.find("views of source shop (order_single_view): OK") != std::string::npos);

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("snapshot done", 30000), weft.Stderr() << server.LogTail());
  // The publication holds exactly the view's six tables; the slot is pgoutput.
  CHECK(server.QueryValue("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'weft_shop'") == "6");
  CHECK(server.QueryValue("SELECT plugin FROM pg_replication_slots WHERE slot_name = 'weft_shop'") == "pgoutput");
  auto docs = ReadSqliteDocs(dir + "/docs.db", "orderSingleView");
  for (int i = 0; i < 100 && docs.size() < 3; ++i, usleep(100000))
    docs = ReadSqliteDocs(dir + "/docs.db", "orderSingleView");
  CHECK(docs.size() == 3);

  for (const std::string& step : SeedScenarioStepNames()) {
    server.Execute("SET ROLE weft;\n" + SeedScenarioStep(step));
  }
  WeftResult verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << weft.Stderr());
  docs = ReadSqliteDocs(dir + "/docs.db", "orderSingleView");
  REQUIRE(docs.count("ORD789654"));
  const std::string& doc = docs["ORD789654"];
  CHECK(doc.find("\"customer_city\":\"New York\"") != std::string::npos);
  CHECK(doc.find("\"product_category_name\":\"electronics\"") != std::string::npos);
  CHECK(doc.find("\"order_status\":\"shipped\"") != std::string::npos);

  // What the state committed is confirmed to the slot (the WAL before it may go): within a few
  // seconds of quiet the slot's confirmed position reaches the server's current WAL position.
  std::string reached;
  for (int i = 0; i < 100; ++i, usleep(100000)) {
    reached = server.QueryValue(
        "SELECT confirmed_flush_lsn >= pg_current_wal_insert_lsn() FROM pg_replication_slots "
        "WHERE slot_name = 'weft_shop'");
    if (reached == "t") break;
  }
  CHECK_MESSAGE(reached == "t", server.QueryValue("SELECT confirmed_flush_lsn::text || ' vs ' || "
                                                  "pg_current_wal_insert_lsn()::text FROM pg_replication_slots"));
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  // The slot's lag in bytes is among the figures weft saved (measured every 5 s while streaming).
  WeftResult status = RunWeft({"status", "-c", config});
  CHECK_MESSAGE(status.out.find(", lag ") != std::string::npos, status.out << status.err);

  // A quiet slot still advances: changes to a table weft does not capture (so nothing it delivers)
  // are acknowledged through the keepalives' WAL end once weft has committed that offset.
  server.Execute("SET ROLE weft; CREATE TABLE audit_log (id serial PRIMARY KEY, note text)");
  WeftProcess again;
  REQUIRE(again.Start({"run", "-c", config}, dir));
  REQUIRE(again.WaitForLog("streaming slot weft_shop", 20000));
  server.Execute("INSERT INTO audit_log (note) SELECT 'x' FROM generate_series(1, 1000)");
  std::string target = server.QueryValue("SELECT pg_current_wal_insert_lsn()");
  std::string advanced;
  for (int i = 0; i < 150; ++i, usleep(100000)) {
    advanced = server.QueryValue("SELECT confirmed_flush_lsn >= '" + target +
                                 "' FROM pg_replication_slots WHERE "
                                 "slot_name = 'weft_shop'");
    if (advanced == "t") break;
  }
  CHECK_MESSAGE(advanced == "t", "the idle slot did not advance past " << target << "\n" << again.Stderr());
  again.Signal(SIGTERM);
  CHECK(again.Wait(10000) == 0);
  // The state's offset is at least that far: a restart would not see the slot past it.
  RemoveTree(dir);
}

TEST_CASE("postgresql: weft run --oneshot builds every document and leaves no slot behind") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server, true);
  std::string dir = MakeTempDir("weft-pg-oneshot-");
  std::string config = WritePgSeedConfig(dir, server);
  WeftResult oneshot = RunWeft({"run", "--oneshot", "-c", config}, 60);
  CHECK_MESSAGE(oneshot.exit_code == 0, oneshot.err);
  CHECK(oneshot.err.find("created temporary replication slot weft_shop_oneshot_") != std::string::npos);
  CHECK(ReadSqliteDocs(dir + "/docs.db", "orderSingleView").size() == 3);
  CHECK(server.QueryValue("SELECT count(*) FROM pg_replication_slots") == "0");  // nothing holds WAL
  WeftResult verify = RunWeft({"verify", "-c", config});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  RemoveTree(dir);
}
