#include "integration/harness/state_probe.h"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "integration/harness/sqlite_probe.h"

namespace weft::test {

long long OutboxDepth(const std::string& dir) { return QuerySqliteInt(dir + "/state.db", "SELECT COUNT(*) FROM outbox"); }

std::string StoredOffset(const std::string& dir, const std::string& source) {
  auto rows = QuerySqlite(dir + "/state.db", "SELECT resume_offset FROM offsets WHERE source = '" + source + "'");
  return rows.empty() || !rows[0][0] ? "" : *rows[0][0];
}

void StartAndSnapshot(WeftProcess& weft, const std::string& config, const std::string& dir) {
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("snapshot done:", 60000), weft.Stderr());
  for (int i = 0; i < 1500; ++i) {
    if (QuerySqliteInt(dir + "/state.db", "SELECT COUNT(*) FROM meta WHERE key LIKE 'unreconciled_snapshot:%' "
                                          "AND value = '0'") >= 1) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("the snapshot was not reconciled within 30 s:\n" << weft.Stderr());
}

}  // namespace weft::test
