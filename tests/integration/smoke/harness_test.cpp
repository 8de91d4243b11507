#include <doctest/doctest.h>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

TEST_CASE("the harness starts a MariaDB with the binlog settings weft needs") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CHECK(server.QueryValue("SELECT @@binlog_format") == "ROW");
  CHECK(server.QueryValue("SELECT @@binlog_row_metadata") == "FULL");
  CHECK(server.QueryValue("SELECT @@log_bin") == "1");
}

TEST_CASE("the weft binary prints its version") {
  WeftResult r = RunWeft({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("weft ", 0) == 0);
}
