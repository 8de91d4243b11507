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
#include "integration/harness/seed_fixture.h"
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

  int streamed = 0;
  for (int kill = 0; kill < 5; ++kill) {
    WeftProcess weft;
    REQUIRE(weft.Start({"run", "-c", config}, dir));
    // Killed only once it streams (the snapshot's own crash safety is the pipeline's), while a
    // workload runs on another connection, so the kill lands inside batches and commits.
    bool streaming = weft.WaitForLog("streaming binlog from", 30000);
    CHECK_MESSAGE(streaming, weft.Stderr());
    streamed += streaming;
    std::thread load([&] {
      for (int i = 0; i < 200; ++i) server.TryExecute("USE shop;\n" + workload.NextTransaction());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + 80 * kill));
    weft.Signal(SIGKILL);
    weft.Wait(10000);
    load.join();
  }
  CHECK(streamed == 5);
  // Something was written before the kills (else this would test nothing).
  CHECK(ReadSqliteDocs(docs, "country_revenue").size() > 0);
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  std::string why = WaitConverged(server, docs, 90000, &weft);
  CHECK_MESSAGE(why.empty(), why << weft.Stderr());
}
