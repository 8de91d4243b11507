// Source outages under `weft run` (issue 4 item 2): MariaDB stopped for 30 s and started again, and
// weft's replication connection killed with KILL, while a workload runs before, between and after.
// weft must say in its log that it reconnects (with capped back-off), resume from its offset and
// lose nothing: `weft verify` (an independent join on MariaDB) finds zero differences.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/harness/workload.h"

using namespace weft::test;

TEST_CASE("MariaDB down for 30 s, then weft's connection killed: weft reconnects and loses nothing") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  std::string dir = MakeTempDir("weft-src-outage-");
  std::string config = WriteSeedConfig(dir, server);
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("streaming binlog from", 30000), weft.Stderr());
  {
    BackgroundWorkload workload(server, 11, 5);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    CHECK(workload.Stop() > 0);
  }

  // 1. The server goes away for 30 s.
  server.Stop();
  std::this_thread::sleep_for(std::chrono::seconds(30));
  CHECK_MESSAGE(weft.running(), weft.Stderr());
  REQUIRE_MESSAGE(server.StartAgain(), server.error());
  REQUIRE_MESSAGE(weft.WaitForLog("reconnected; streaming binlog from", 60000), weft.Stderr());
  std::string log = weft.Stderr();
  CHECK(log.find("reconnecting in") != std::string::npos);
  {
    BackgroundWorkload workload(server, 12, 5);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    CHECK(workload.Stop() > 0);
  }

  // 2. The replication connection is killed on the server side.
  std::string dump_id;
  for (int i = 0; i < 50 && dump_id.empty(); ++i) {
    dump_id = server.QueryValue("SELECT id FROM information_schema.PROCESSLIST WHERE command LIKE 'Binlog Dump%'");
    if (dump_id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_FALSE(dump_id.empty());
  server.Execute("KILL CONNECTION " + dump_id);
  REQUIRE_MESSAGE(weft.WaitForLog("reconnected; streaming binlog from", 60000, 2), weft.Stderr());
  {
    BackgroundWorkload workload(server, 13, 5);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    CHECK(workload.Stop() > 0);
  }

  WeftResult verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  RemoveTree(dir);
}
