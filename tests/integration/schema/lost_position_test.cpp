// on_lost_position = "resnapshot" under `weft run`: the binlog holding weft's offset was purged
// while weft was down, and rows were deleted in the lost stretch. The source's fresh snapshot must
// replace the state (not be laid over it), so the deleted rows' documents go.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "integration/harness/workload.h"
#include "integration/schema/schema_fixture.h"

using namespace weft::test;

TEST_CASE("a purged offset with on_lost_position = resnapshot: documents of rows deleted meanwhile go") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  LoadBulkOrders(server, 500);
  std::string dir = MakeTempDir("weft-lost-");
  std::string config = WriteSchemaConfig(dir, server, kOrderView, 0, "on_lost_position = \"resnapshot\"\n");
  std::string docs = dir + "/docs.db";
  {
    WeftProcess weft;
    REQUIRE(weft.Start({"run", "-c", config}, dir));
    REQUIRE_MESSAGE(weft.WaitForLog("snapshot done", 60000), weft.Stderr());
    WeftResult verify = VerifyEventually(config, 60);
    REQUIRE_MESSAGE(verify.exit_code == 0, verify.out << weft.Stderr());
    weft.Signal(SIGTERM);
    REQUIRE(weft.Wait(10000) == 0);
  }
  REQUIRE(ReadSqliteDocs(docs, "orderSingleView").count("B1") == 1);
  // While weft is down: deletes, an update, and the binlog they are in is purged.
  server.Execute("DELETE FROM shop.ecom_orders WHERE order_id IN ('B1', 'B2');\n"
                 "DELETE FROM shop.ecom_sellers WHERE seller_id = 'BS3';\n"
                 "UPDATE shop.ecom_customers SET customer_city = 'Lost' WHERE customer_id = 'BC4';\n"
                 "FLUSH BINARY LOGS");
  // As in source/resume_test.cpp: the stopped weft's dump thread may still hold the old file, and
  // PURGE keeps files until InnoDB's binlog checkpoint passed them.
  for (const auto& row : server.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
    server.TryExecute("KILL " + *row[0]);
  }
  auto logs = server.Query("SHOW BINARY LOGS");
  for (int i = 0; i < 100 && server.Query("SHOW BINARY LOGS").size() > 1; ++i) {
    server.Execute("PURGE BINARY LOGS TO '" + *logs.back()[0] + "'");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(server.Query("SHOW BINARY LOGS").size() == 1);

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  WeftResult verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  auto after = ReadSqliteDocs(docs, "orderSingleView");
  CHECK(after.count("B1") == 0);
  CHECK(after.count("B2") == 0);
  CHECK(weft.CountLog("on_lost_position = \"resnapshot\"") >= 1);
  // And it streams on from the new snapshot.
  server.Execute("UPDATE shop.ecom_orders SET order_status = 'after-lost' WHERE order_id = 'B5'");
  verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  CHECK(Contains(ReadSqliteDocs(docs, "orderSingleView")["B5"], "after-lost"));
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  if (getenv("WEFT_TEST_KEEP") == nullptr) RemoveTree(dir);
}
