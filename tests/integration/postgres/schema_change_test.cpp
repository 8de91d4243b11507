// Schema changes over PostgreSQL: the WAL carries no DDL, so a column added (or dropped, renamed,
// retyped) shows in the next Relation message of that table, and TRUNCATE in a Truncate message.
// Both make weft read the source again, as a MySQL schema change does: the documents follow.
#include <doctest/doctest.h>
#include <signal.h>

#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/postgres/pg_fixture.h"

using namespace weft::test;

TEST_CASE("postgresql: a column added, then TRUNCATE, and the documents follow") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server, true);
  std::string dir = MakeTempDir("weft-pg-ddl-");
  std::string config = WritePgSeedConfig(dir, server);
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("streaming slot", 20000), weft.Stderr());

  server.Execute("SET ROLE weft; ALTER TABLE ecom_customers ADD COLUMN vip boolean DEFAULT true");
  // The next change of the table brings its new Relation message.
  server.Execute("UPDATE ecom_customers SET customer_city = 'Campinas' WHERE customer_id = 'CUST00001'");
  WeftResult verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << weft.Stderr());
  auto docs = ReadSqliteDocs(dir + "/docs.db", "orderSingleView");
  REQUIRE(docs.count("ORD000002"));
  CHECK_MESSAGE(docs["ORD000002"].find("\"vip\":true") != std::string::npos,
                docs["ORD000002"]);  // an untouched customer
  CHECK(weft.CountLog("starting a consistent snapshot") >= 2);

  server.Execute("TRUNCATE ecom_order_payments");
  server.Execute("INSERT INTO ecom_order_payments VALUES ('ORD000003', 1, 'voucher', 1, 5.00)");
  verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << weft.Stderr());
  docs = ReadSqliteDocs(dir + "/docs.db", "orderSingleView");
  CHECK(docs["ORD000001"].find("credit_card") == std::string::npos);  // its payments were truncated
  CHECK(docs["ORD000003"].find("voucher") != std::string::npos);
  CHECK(weft.running());
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  RemoveTree(dir);
}
