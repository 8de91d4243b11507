// A config whose views name a table and columns the source lacks: `weft check` lists every problem
// with its config location and what does exist (exit 1); `weft run` refuses with the same lines
// (exit 2) and writes nothing, neither state nor documents.
#include <doctest/doctest.h>

#include <filesystem>

#include "integration/schema/schema_fixture.h"

using namespace weft::test;

TEST_CASE("views naming a missing table and missing columns: weft check and weft run list every problem") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  server.Execute("INSERT INTO shop.ecom_customers VALUES ('C1', 'U1', '01000', 'Sao Paulo', 'SP')");
  std::string dir = MakeTempDir("weft-badcfg-");
  std::string views = R"([[views]]
name = "order_single_view"
source = "shop"
root = "ecom_orders"
sink = "local"
exclude = ["order_statuss"]

  [[views.lookups]]
  table = "ecom_customers"
  path = "customer_info"
  type = "object"
  relation = [["customer_id", "customer_idd"]]

  [[views.lookups]]
  table = "ecom_order_item"
  path = "order_items"
  type = "array"
  relation = [["order_id", "order_id"]]

)" + kCustomerView;
  std::string config = WriteSchemaConfig(dir, server, views);
  const std::string tables =
      "(tables of shop: ecom_customers, ecom_order_items, ecom_order_payments, ecom_orders, ecom_products, "
      "ecom_sellers)";
  const std::string order_columns =
      "(columns of ecom_orders: order_id, customer_id, order_status, order_purchase_timestamp, order_approved_at, "
      "order_delivered_carrier_date, order_delivered_customer_date, order_estimated_delivery_date)";
  const std::vector<std::string> problems = {
      LocationOf(config, "name = \"order_single_view\"") +
          ": view 'order_single_view': `exclude` names column 'order_statuss', which table `ecom_orders` does not "
          "have; did you mean 'order_status'? " + order_columns + "; fix `exclude` or restore the column",
      LocationOf(config, "table = \"ecom_customers\"") +
          ": view 'order_single_view', lookup 'customer_info': relation column 'customer_idd' does not exist in "
          "table `ecom_customers`; did you mean 'customer_id'? (columns of ecom_customers: customer_id, "
          "customer_unique_id, customer_zip_code_prefix, customer_city, customer_state); fix `relation` or restore "
          "the column",
      LocationOf(config, "table = \"ecom_order_item\"") +
          ": view 'order_single_view', lookup 'order_items': table 'ecom_order_item' does not exist in database "
          "`shop`; did you mean 'ecom_order_items'? " + tables + "; restore the table or fix `table` in the config"};

  WeftResult check = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(check.exit_code == 1, check.out << check.err);
  std::string expected = "views of source shop (order_single_view, customer_orders): 3 problems\n";
  for (const auto& p : problems) expected += "  - " + p + "\n";
  CHECK_MESSAGE(Contains(check.out, expected), check.out);
  CHECK(Contains(check.out, "source shop (127.0.0.1:" + std::to_string(server.port())));  // the server itself is fine

  WeftResult run = RunWeft({"run", "-c", config});
  CHECK_MESSAGE(run.exit_code == 2, run.err);
  CHECK_MESSAGE(Contains(run.err, "3 problems between the views of " + config +
                                      " and the source database; nothing was started:\n  " + problems[0] + "\n  " +
                                      problems[1] + "\n  " + problems[2] + "\n"),
                run.err);
  CHECK_FALSE(std::filesystem::exists(dir + "/state.db"));
  CHECK_FALSE(std::filesystem::exists(dir + "/docs.db"));

  // With the config fixed, both pass and the run writes documents.
  std::string fixed = views;
  fixed.replace(fixed.find("order_statuss"), 13, "order_status");
  fixed.replace(fixed.find("customer_idd"), 12, "customer_id");
  fixed.replace(fixed.find("ecom_order_item\""), 16, "ecom_order_items\"");
  config = WriteSchemaConfig(dir, server, fixed);
  check = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(check.exit_code == 0, check.out << check.err);
  CHECK(Contains(check.out, "views of source shop (order_single_view, customer_orders): OK\n"));
  run = RunWeft({"run", "-c", config, "--oneshot"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(ReadSqliteDocs(dir + "/docs.db", "customerOrders").size() == 1);
  RemoveTree(dir);
}
