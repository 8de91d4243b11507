// SIGKILL while aggregate views stream: weft is killed at random moments of a running workload and
// started again; the contributions, groups, multisets and ranks are committed with the offset in
// one SQLite transaction and a replayed source transaction retracts what it added, so after the
// last restart every document equals the source's GROUP BY.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "integration/aggregates/agg_fixture.h"
#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

TEST_CASE("aggregate views converge after SIGKILLs in the middle of a workload") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateAggShop(server, 30, 200, 5);
  std::string dir = MakeTempDir("weft-agg-crash-");
  std::string config = WriteAggConfig(dir, server);
  std::string docs = dir + "/docs.db";
  AggWorkload workload(99);

  for (int kill = 0; kill < 4; ++kill) {
    WeftProcess weft;
    REQUIRE(weft.Start({"run", "-c", config}, dir));
    // Changes keep coming while weft starts, snapshots or streams, and when it dies.
    for (int i = 0; i < 120; ++i) {
      server.TryExecute("USE shop;\n" + workload.NextTransaction());
      if (i % 30 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20 * (kill + 1)));
    }
    weft.Signal(SIGKILL);
    weft.Wait(10000);
    for (int i = 0; i < 40; ++i) server.TryExecute("USE shop;\n" + workload.NextTransaction());
  }
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  std::string why = WaitConverged(server, docs, 90000, &weft);
  CHECK_MESSAGE(why.empty(), why << weft.Stderr());
}
