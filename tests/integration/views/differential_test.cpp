// Differential end-to-end test: random workloads over the seeds' six tables (inserts, updates,
// deletes, join-key changes, primary-key changes, children before parents, multi-statement
// transactions) against a live `weft run`; afterwards `weft verify` (an independent join computed
// from MariaDB) must find zero differences. Several seeds; one run is restarted mid-workload. The
// workload generator lives in the harness (integration/harness/workload.h).
#include <doctest/doctest.h>
#include <signal.h>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/harness/workload.h"

using namespace weft::test;

namespace {

void RunDifferential(unsigned seed, int transactions, bool restart_midway) {
  CAPTURE(seed);
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  std::string dir = MakeTempDir("weft-diff-");
  std::string config = WriteSeedConfig(dir, server);
  Workload workload(seed);
  // Some rows exist before weft starts, so the snapshot and the stream both matter.
  for (int i = 0; i < transactions / 4; ++i) server.TryExecute("USE shop;\n" + workload.NextTransaction());

  auto weft = std::make_unique<WeftProcess>();
  REQUIRE(weft->Start({"run", "-c", config}, dir));
  for (int i = 0; i < transactions; ++i) {
    server.TryExecute("USE shop;\n" + workload.NextTransaction());
    if (restart_midway && i == transactions / 2) {
      // A graceful stop exits 0. How long it takes is not asserted here (the resilience suite
      // reports it): on a loaded machine the outbox flush can use its whole 8 s grace.
      weft->Signal(SIGTERM);
      int code = weft->Wait(60000);
      REQUIRE_MESSAGE(code == 0, "weft log:\n" << weft->Stderr());
      weft = std::make_unique<WeftProcess>();
      REQUIRE(weft->Start({"run", "-c", config}, dir));
    }
  }
  WeftResult verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, "verify: " << verify.out << verify.err << "\nweft log:\n" << weft->Stderr());
  CHECK(weft->running());
  int docs = std::stoi(server.QueryValue("SELECT COUNT(*) FROM shop.ecom_orders"));
  CHECK(ReadSqliteDocs(dir + "/docs.db", "orderSingleView").size() == static_cast<size_t>(docs));
  weft->Signal(SIGTERM);
  CHECK(weft->Wait(60000) == 0);
  RemoveTree(dir);
}

}  // namespace

TEST_CASE("random workloads converge: seed 1") { RunDifferential(1, 400, false); }
TEST_CASE("random workloads converge: seed 2, restarted midway") { RunDifferential(2, 400, true); }
TEST_CASE("random workloads converge: seed 3") { RunDifferential(3, 400, false); }
