// on_lost_position over PostgreSQL: the slot dropped while weft was down, or confirmed past weft's
// offset by someone else. "fail" stops with an error that says what happened and what to run (and
// creates no slot behind the operator's back); "resnapshot" reads everything again and converges.
// Never a silent restart at the newest position.
#include <doctest/doctest.h>
#include <signal.h>

#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/postgres/pg_fixture.h"

using namespace weft::test;

namespace {

// Snapshot + a little streaming, then a clean stop: the state holds an offset.
void RunOnce(const std::string& config, const std::string& dir, PostgresServer& server, unsigned seed) {
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("streaming slot", 20000), weft.Stderr());
  Workload workload(seed);
  for (int i = 0; i < 50; ++i) server.TryExecute(PgTransaction(workload));
  WeftResult verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  weft.Signal(SIGTERM);
  REQUIRE(weft.Wait(10000) == 0);
}

}  // namespace

TEST_CASE("postgresql: a dropped slot fails with what to run, or resnapshots and converges") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server, true);
  std::string dir = MakeTempDir("weft-pg-lost-");
  std::string config = WritePgSeedConfig(dir, server);
  RunOnce(config, dir, server, 41);

  server.Execute("SELECT pg_drop_replication_slot('weft_shop')");
  Workload workload(42);
  for (int i = 0; i < 50; ++i) server.TryExecute(PgTransaction(workload));  // changes the slot never saw
  WeftResult failed = RunWeft({"run", "-c", config}, 30);
  CHECK(failed.exit_code != 0);
  CHECK_MESSAGE(
      failed.err.find("replication slot weft_shop of source shop does not exist any more") != std::string::npos,
      failed.err);
  CHECK(failed.err.find("on_lost_position = \"resnapshot\"") != std::string::npos);
  CHECK(server.QueryValue("SELECT count(*) FROM pg_replication_slots") == "0");  // nothing created silently

  std::string resnapshot = WritePgSeedConfig(dir, server, "on_lost_position = \"resnapshot\"\n");
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", resnapshot}, dir));
  WeftResult verify = VerifyEventually(resnapshot, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << weft.Stderr());
  CHECK(weft.CountLog("taking a new snapshot") >= 1);
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  RemoveTree(dir);
}

TEST_CASE("postgresql: a slot confirmed past weft's offset is a lost position") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server, true);
  std::string dir = MakeTempDir("weft-pg-past-");
  std::string config = WritePgSeedConfig(dir, server);
  RunOnce(config, dir, server, 43);
  // Another client consumes the slot while weft is down.
  Workload workload(44);
  for (int i = 0; i < 20; ++i) server.TryExecute(PgTransaction(workload));
  server.Execute("SELECT pg_replication_slot_advance('weft_shop', pg_current_wal_lsn())");
  WeftResult failed = RunWeft({"run", "-c", config}, 30);
  CHECK(failed.exit_code != 0);
  CHECK_MESSAGE(failed.err.find("was confirmed up to") != std::string::npos, failed.err);
  CHECK(failed.err.find("past weft's offset") != std::string::npos);
  RemoveTree(dir);
}
