// `weft check` on aggregate views: the columns keys, aggregates and filters read must exist, and a
// root table without a primary key (or NOT NULL unique key) is reported with the fix, since its
// identical rows would count once.
#include <doctest/doctest.h>

#include "integration/aggregates/agg_fixture.h"
#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

TEST_CASE("weft check reports aggregate paths, filter columns and keyless roots with their fix") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateAggShop(server, 3, 3, 1);
  server.Execute("USE shop; CREATE TABLE events(kind VARCHAR(10), amount INT);"
                 "CREATE TABLE keyed(code VARCHAR(10) NOT NULL, amount INT, UNIQUE KEY(code));");
  std::string dir = MakeTempDir("weft-agg-check-");
  std::string config = WriteAggConfig(dir, server);
  WeftResult ok = RunWeft({"check", "-c", config}, 60);
  CHECK_MESSAGE(ok.exit_code == 0, ok.out << ok.err);

  std::string text = ReadFile(config);
  text += R"toml(
[[views]]
name = "by_kind"
source = "shop"
root = "events"
sink = "local"
filter = "amout > 0"
  [views.group_by]
  kind = "kind"
  [views.aggregates]
  total = "sum(amount)"
  biggest = "max(customer.amount)"

[[views]]
name = "by_code"
source = "shop"
root = "keyed"
sink = "local"
  [views.aggregates]
  total = "sum(amount)"
)toml";
  WriteFile(config, text);
  WeftResult bad = RunWeft({"check", "-c", config}, 60);
  CHECK(bad.exit_code == 1);
  CHECK_MESSAGE(bad.out.find("view 'by_kind', filter: the root table `events` has no column 'amout'") != std::string::npos,
                bad.out);
  CHECK(bad.out.find("aggregates.biggest reads \"customer.amount\"") != std::string::npos);
  CHECK(bad.out.find("root table `events` has neither a primary key nor a unique key over NOT NULL columns") !=
        std::string::npos);
  CHECK(bad.out.find("and an aggregate counts them once") != std::string::npos);
  CHECK(bad.out.find("`keyed`") == std::string::npos);  // a NOT NULL unique key is as good as a primary key
}
