// `weft check` and the source's start refuse a PostgreSQL server that is not ready, naming the
// fix: wal_level, the REPLICATION attribute, a table without a replica identity, a publication
// weft may not create (tables it does not own).
#include <doctest/doctest.h>

#include "integration/harness/weft_process.h"
#include "integration/postgres/pg_fixture.h"

using namespace weft::test;

TEST_CASE("postgresql check: every problem with its fix, and weft run refuses the same way") {
  PostgresServer server;
  REQUIRE_MESSAGE(server.Start({"wal_level = replica"}), server.error());  // the last setting wins
  server.CreateShop();
  server.Execute("ALTER ROLE weft NOREPLICATION", "postgres");
  // The seeds' tables owned by postgres (weft may read them, not publish them), one without a key.
  CreatePgSeedSchema(server);
  server.Execute("ALTER TABLE ecom_sellers DROP CONSTRAINT ecom_sellers_pkey");
  for (const char* t : {"ecom_customers", "ecom_orders", "ecom_order_items", "ecom_products", "ecom_sellers",
                        "ecom_order_payments"}) {
    server.Execute(std::string("ALTER TABLE ") + t + " OWNER TO postgres");
    server.Execute(std::string("GRANT SELECT ON ") + t + " TO weft");
  }
  std::string dir = MakeTempDir("weft-pg-check-");
  std::string config = WritePgSeedConfig(dir, server);
  WeftResult check = RunWeft({"check", "-c", config});
  CHECK(check.exit_code == 1);
  const std::string& out = check.out;
  CHECK_MESSAGE(out.find("wal_level is replica, weft needs logical: run ALTER SYSTEM SET wal_level = logical;") !=
                    std::string::npos,
                out);
  CHECK(out.find("role weft lacks the REPLICATION attribute: run ALTER ROLE \"weft\" REPLICATION;") != std::string::npos);
  CHECK(out.find("table public.ecom_sellers has no primary key") != std::string::npos);
  CHECK(out.find("run ALTER TABLE \"public\".\"ecom_sellers\" REPLICA IDENTITY FULL;") != std::string::npos);
  CHECK(out.find("publication weft_shop does not exist and role weft may not create it (it does not own") !=
        std::string::npos);
  CHECK(out.find("CREATE PUBLICATION \"weft_shop\" FOR TABLE \"public\".\"ecom_orders\"") != std::string::npos);
  CHECK(out.find("views of source shop (order_single_view): OK") != std::string::npos);

  WeftResult run = RunWeft({"run", "-c", config}, 30);
  CHECK(run.exit_code != 0);
  CHECK_MESSAGE(run.err.find("is not ready for weft") != std::string::npos, run.err);
  CHECK(run.err.find("ALTER ROLE \"weft\" REPLICATION") != std::string::npos);
  CHECK(server.QueryValue("SELECT count(*) FROM pg_replication_slots") == "0");
  RemoveTree(dir);
}
