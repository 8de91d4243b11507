// A table disappears under a running weft with two views on one source: the view that read it stops
// with an error naming the view, the table, why and the fix, and shows stopped in `weft status`;
// the other view keeps getting changes (verify --view clean). When the last view's table goes too,
// weft exits 1; a restart is refused (exit 2) until the tables are back or the config is fixed.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/harness/workload.h"
#include "integration/schema/schema_fixture.h"

using namespace weft::test;

namespace {

WeftResult VerifyViewEventually(const std::string& config, const std::string& view, int seconds) {
  WeftResult r;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
       std::chrono::steady_clock::now() < deadline;) {
    r = RunWeft({"verify", "-c", config, "--view", view});
    if (r.exit_code == 0) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return r;
}

}  // namespace

TEST_CASE("DROP TABLE of a lookup table stops the view that reads it; the other view goes on") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  LoadBulkOrders(server, 1000);
  std::string dir = MakeTempDir("weft-viewstop-");
  std::string config = WriteSchemaConfig(dir, server, kOrderView + "\n" + kCustomerView, FreePort());
  std::string docs = dir + "/docs.db";
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("snapshot done", 60000), weft.Stderr());

  {
    BackgroundWorkload workload(server, 7, 5);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    server.Execute("DROP TABLE shop.ecom_sellers");
    REQUIRE_MESSAGE(weft.WaitForLog("view 'order_single_view' stopped", 30000), weft.Stderr());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  const std::string log = weft.Stderr();
  CHECK_MESSAGE(Contains(log, "view 'order_single_view' stopped after a schema change on source shop (DROP TABLE "),
                log);
  CHECK_MESSAGE(Contains(log, "): " + LocationOf(config, "table = \"ecom_sellers\"") +
                                  ": view 'order_single_view', lookup 'order_items.seller': table 'ecom_sellers' does "
                                  "not exist in database `shop` (tables of shop: ecom_customers, ecom_order_items, "
                                  "ecom_order_payments, ecom_orders, ecom_products); restore the table or fix `table` "
                                  "in the config. Its documents stay in the sink as they were; the other views go on. "
                                  "Once fixed, restart weft\n"),
                log);
  CHECK(weft.running());

  // Changes after the drop: the customer view takes them, the stopped order view does not.
  std::string order_before = ReadSqliteDocs(docs, "orderSingleView")["B1"];
  REQUIRE(!order_before.empty());
  server.Execute("UPDATE shop.ecom_customers SET customer_city = 'AfterDrop' WHERE customer_id = 'BC1';\n"
                 "UPDATE shop.ecom_orders SET order_status = 'after-drop' WHERE order_id = 'B1'");
  WeftResult verify = VerifyViewEventually(config, "customer_orders", 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << weft.Stderr());
  CHECK(Contains(ReadSqliteDocs(docs, "customerOrders")["BC1"], "AfterDrop"));
  CHECK(Contains(ReadSqliteDocs(docs, "customerOrders")["BC2"], "after-drop"));  // B1 is BC2's order
  CHECK(ReadSqliteDocs(docs, "orderSingleView")["B1"] == order_before);
  // verify of the stopped view names the missing table (a config problem: exit 2).
  WeftResult stopped_verify = RunWeft({"verify", "-c", config, "--view", "order_single_view"});
  CHECK(stopped_verify.exit_code == 2);
  CHECK(Contains(stopped_verify.err, "ecom_sellers"));

  WeftResult status = RunWeft({"status", "-c", config, "--json"});
  REQUIRE_MESSAGE(status.exit_code == 0, status.out << status.err);
  auto figures = nlohmann::json::parse(status.out);
  for (const auto& v : figures.at("views")) {
    CAPTURE(v.dump());
    if (v.at("name") == "order_single_view") {
      CHECK(v.at("state") == "stopped");
      CHECK(Contains(v.at("error").get<std::string>(), "table 'ecom_sellers' does not exist"));
    } else {
      CHECK(v.at("name") == "customer_orders");
      CHECK(v.at("state") == "streaming");
      CHECK(v.at("error") == "");
    }
  }
  WeftResult text = RunWeft({"status", "-c", config});
  CHECK(Contains(text.out, "order_single_view: stopped"));
  CHECK(Contains(text.out, "  stopped: view 'order_single_view' stopped after a schema change"));

  // The last view's root goes away too: nothing is left to keep current, weft exits 1.
  server.Execute("RENAME TABLE shop.ecom_customers TO shop.customers_archive");
  CHECK(weft.Wait(30000) == 1);
  CHECK_MESSAGE(Contains(weft.Stderr(), "view 'customer_orders' stopped after a schema change on source shop (RENAME "
                                        "TABLE shop.ecom_customers TO shop.customers_archive): " +
                                            LocationOf(config, "name = \"customer_orders\"") +
                                            ": view 'customer_orders': root table 'ecom_customers' does not exist in "
                                            "database `shop` (tables of shop: customers_archive, ecom_order_items, "
                                            "ecom_order_payments, ecom_orders, ecom_products); restore the table or "
                                            "fix `root` in the config. Its documents stay in the sink as they were. "
                                            "Once fixed, restart weft\n"),
                weft.Stderr());
  CHECK(Contains(weft.Stderr(), "every view has stopped (see the errors above): nothing is left to keep current"));

  // A restart refuses until the config or the tables are fixed: every problem at once.
  WeftResult again = RunWeft({"run", "-c", config});
  CHECK(again.exit_code == 2);
  CHECK_MESSAGE(Contains(again.err, "3 problems between the views of " + config + " and the source database"), again.err);
  CHECK(Contains(again.err, "lookup 'customer_info': table 'ecom_customers' does not exist"));
  CHECK(Contains(again.err, "lookup 'order_items.seller': table 'ecom_sellers' does not exist"));
  CHECK(Contains(again.err, "view 'customer_orders': root table 'ecom_customers' does not exist"));
  RemoveTree(dir);
}

// A column the config names (`fields`, `exclude`) leaves the source: that view stops (as `weft check`,
// `weft verify` and the next start would refuse it; a renamed excluded column would otherwise show
// up under its new name), and a view showing every column just loses it.
TEST_CASE("a view stops when a column its config names is dropped or renamed; the other loses the column") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  LoadBulkOrders(server, 200);
  std::string dir = MakeTempDir("weft-viewcols-");
  std::string config = WriteSchemaConfig(dir, server, R"([[views]]
name = "customers_narrow"
source = "shop"
root = "ecom_customers"
sink = "local"
fields = ["customer_id", "customer_city", "customer_state"]

[[views]]
name = "customers_private"
source = "shop"
root = "ecom_customers"
sink = "local"
exclude = ["customer_unique_id"]
)");
  std::string docs = dir + "/docs.db";
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("snapshot done", 60000), weft.Stderr());
  REQUIRE(VerifyEventually(config, 60).exit_code == 0);
  REQUIRE(AllDocs(docs, "customers_private", [](const std::string& d) { return Contains(d, "customer_state"); }));

  server.Execute("ALTER TABLE shop.ecom_customers DROP COLUMN customer_state");
  REQUIRE_MESSAGE(weft.WaitForLog("view 'customers_narrow' stopped", 30000), weft.Stderr());
  CHECK_MESSAGE(Contains(weft.Stderr(), LocationOf(config, "name = \"customers_narrow\"") +
                                            ": view 'customers_narrow': `fields` names column 'customer_state', which "
                                            "table `ecom_customers` does not have (columns of ecom_customers: "
                                            "customer_id, customer_unique_id, customer_zip_code_prefix, customer_city); "
                                            "fix `fields` or restore the column. Its documents stay in the sink as they "
                                            "were; the other views go on. Once fixed, restart weft"),
                weft.Stderr());
  server.Execute("UPDATE shop.ecom_customers SET customer_city = 'Later' WHERE customer_id = 'BC1'");
  WeftResult verify = RunWeft({"verify", "-c", config, "--view", "customers_private"});
  for (int i = 0; i < 60 && verify.exit_code != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    verify = RunWeft({"verify", "-c", config, "--view", "customers_private"});
  }
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  CHECK(AllDocs(docs, "customers_private", [](const std::string& d) { return !Contains(d, "customer_state"); }));
  CHECK(Contains(ReadSqliteDocs(docs, "customers_private")["BC1"], "Later"));
  CHECK_FALSE(Contains(ReadSqliteDocs(docs, "customers_narrow")["BC1"], "Later"));

  server.Execute("ALTER TABLE shop.ecom_customers RENAME COLUMN customer_unique_id TO uid");
  CHECK(weft.Wait(30000) == 1);  // the last view stopped
  CHECK_MESSAGE(Contains(weft.Stderr(), ": view 'customers_private': `exclude` names column 'customer_unique_id', which "
                                        "table `ecom_customers` does not have (columns of ecom_customers: customer_id, "
                                        "uid, customer_zip_code_prefix, customer_city); fix `exclude` or restore the "
                                        "column. Its documents stay in the sink as they were. Once fixed, restart weft"),
                weft.Stderr());
  CHECK(AllDocs(docs, "customers_private", [](const std::string& d) { return !Contains(d, "\"uid\""); }));
  RemoveTree(dir);
}
