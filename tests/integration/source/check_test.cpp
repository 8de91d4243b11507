// `weft check` and `weft tail` against misconfigured servers: every problem at once, each naming
// its fix, the same messages from both commands.
#include <doctest/doctest.h>

#include "integration/source/source_util.h"

using namespace weft::test;

TEST_CASE("binlog_row_metadata=MINIMAL: check and tail both give the documented error with the fix") {
  MariaDBServer server;
  MariaDBOptions options;
  options.extra_config = {"binlog_row_metadata=MINIMAL"};
  REQUIRE_MESSAGE(server.Start(options), server.error());
  server.Execute("CREATE DATABASE shop");
  std::string dir = MakeTempDir("weft-minimal-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");
  const std::string problem =
      "binlog_row_metadata is MINIMAL, weft needs FULL (column names, signedness, ENUM/SET values in the binlog): "
      "run SET GLOBAL binlog_row_metadata = 'FULL'; and add `binlog_row_metadata = FULL` under [mysqld] in my.cnf";

  WeftResult check = RunWeft({"check", "-c", config});
  CHECK(check.exit_code == 1);
  CHECK_MESSAGE(check.out.find(problem) != std::string::npos, check.out);
  CHECK(check.out.find("1 problem") != std::string::npos);

  WeftResult tail = RunWeft({"tail", "-c", config, "--source", "shop", "--from", "now"}, 30);
  CHECK(tail.exit_code == 1);
  CHECK_MESSAGE(tail.err.find(problem) != std::string::npos, tail.err);
  CHECK(tail.out.empty());

  // The fix it names works.
  server.Execute("SET GLOBAL binlog_row_metadata = 'FULL'");
  check = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(check.exit_code == 0, check.out);
  CHECK(check.out.find(": OK") != std::string::npos);
  RemoveTree(dir);
}

TEST_CASE("check reports every problem at once: settings and each missing grant with its GRANT") {
  MariaDBServer server;
  MariaDBOptions options;
  options.extra_config = {"binlog_format=MIXED", "binlog_row_image=MINIMAL"};
  REQUIRE_MESSAGE(server.Start(options), server.error());
  server.Execute("CREATE DATABASE shop; CREATE USER 'weak'@'%' IDENTIFIED BY 'pw-s3cret'; "
                 "GRANT SELECT ON shop.* TO 'weak'@'%'");
  std::string dir = MakeTempDir("weft-check-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop", "weak", "pw-s3cret", "tables = [\"nope\"]\n");
  WeftResult r = RunWeft({"check", "-c", config});
  CHECK(r.exit_code == 1);
  INFO(r.out);
  CHECK(r.out.find("5 problems") != std::string::npos);
  CHECK(r.out.find("binlog_format is MIXED, weft needs ROW: run SET GLOBAL binlog_format = 'ROW';") != std::string::npos);
  CHECK(r.out.find("binlog_row_image is MINIMAL") != std::string::npos);
  CHECK(r.out.find("run GRANT REPLICATION SLAVE ON *.* TO 'weak'@'%';") != std::string::npos);
  CHECK(r.out.find("run GRANT BINLOG MONITOR ON *.* TO 'weak'@'%';") != std::string::npos);
  CHECK(r.out.find("table `shop`.`nope` does not exist") != std::string::npos);
  CHECK(r.out.find("GRANT SELECT") == std::string::npos);  // SELECT on shop.* is there
  CHECK(r.out.find("pw-s3cret") == std::string::npos);
  CHECK(r.err.find("pw-s3cret") == std::string::npos);

  // tail refuses with the same lines.
  WeftResult tail = RunWeft({"tail", "-c", config, "--source", "shop", "--from", "now"}, 30);
  CHECK(tail.exit_code == 1);
  CHECK(tail.err.find("run GRANT REPLICATION SLAVE ON *.* TO 'weak'@'%';") != std::string::npos);
  CHECK(tail.err.find("binlog_row_image is MINIMAL") != std::string::npos);
  RemoveTree(dir);
}

TEST_CASE("check: OK with the documented grants; bad config exits 2; an unreachable server exits 1") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop");
  server.CreateWeftUser("weft-secret");
  std::string dir = MakeTempDir("weft-checkok-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop", "weft", "weft-secret");
  WeftResult r = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
  CHECK(r.out.find("source shop (127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
  CHECK(r.out.find("MariaDB") != std::string::npos);
  CHECK(r.out.find("): OK") != std::string::npos);

  WriteFile(dir + "/bad.toml", "[sources.shop]\nkind = \"mysql\"\nport = \"not a number\"\n");
  r = RunWeft({"check", "-c", dir + "/bad.toml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bad.toml:3") != std::string::npos);

  std::string unreachable = MakeTempDir("weft-checkdown-");
  WriteSourceConfig(unreachable, FreePort(), "shop", "weft", "weft-secret");
  r = RunWeft({"check", "-c", unreachable + "/weft.toml"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("cannot connect") != std::string::npos);
  CHECK(r.out.find("weft-secret") == std::string::npos);

  r = RunWeft({"check", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("binlog_row_metadata = FULL") != std::string::npos);
  RemoveTree(dir);
  RemoveTree(unreachable);
}
