// Aggregate views against a SQL GROUP BY oracle on the source: a snapshot, then random workloads
// (inserts; updates changing totals, statuses, group keys, lookup keys, timestamps across bucket
// boundaries and primary keys; deletes of current minima and maxima; customers changing country;
// new countries; top-N churn). Once the source is quiet every document must equal the oracle's,
// exactly (decimal digits included), and `weft verify` must agree.
#include <doctest/doctest.h>
#include <signal.h>

#include "integration/aggregates/agg_fixture.h"
#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

TEST_CASE("aggregate views equal the source's GROUP BY after random workloads, and verify agrees") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateAggShop(server, 40, 300, 11);
  std::string dir = MakeTempDir("weft-agg-");
  std::string config = WriteAggConfig(dir, server);
  std::string docs = dir + "/docs.db";

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  std::string why = WaitConverged(server, docs, 60000, &weft);
  REQUIRE_MESSAGE(why.empty(), "after the snapshot:\n" << why << weft.Stderr());

  AggWorkload workload(7);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 250; ++i) server.TryExecute("USE shop;\n" + workload.NextTransaction());
    why = WaitConverged(server, docs, 60000, &weft);
    REQUIRE_MESSAGE(why.empty(), "after round " << round << ":\n" << why << weft.Stderr());
  }
  WeftResult verify = RunWeft({"verify", "-c", config}, 120);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  CHECK(verify.out.find("country_revenue") != std::string::npos);

  // A wrong document in the sink is what verify is for: it must see it.
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(20000) == 0);
  server.Execute("USE shop; UPDATE customers SET country = 'Atlantis' WHERE id = 1;");  // weft is not running
  WeftResult stale = RunWeft({"verify", "-c", config}, 120);
  CHECK_MESSAGE(stale.exit_code != 0, stale.out << stale.err);

  // --oneshot rebuilds every group from a fresh snapshot.
  WeftResult oneshot = RunWeft({"run", "--oneshot", "-c", config}, 120);
  REQUIRE_MESSAGE(oneshot.exit_code == 0, oneshot.err);
  why = WaitConverged(server, docs, 1000, nullptr);
  CHECK_MESSAGE(why.empty(), "after --oneshot:\n" << why);
}
