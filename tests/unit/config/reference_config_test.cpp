// conf/weft.toml is the documentation users copy from: it must load, and mean what it says.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"

namespace weft::config {
namespace {

const std::string kReference = std::string(WEFT_SOURCE_DIR) + "/conf/weft.toml";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// 1-based line and column of `needle` in `text`.
std::pair<int, int> PositionOf(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(at - line_start) + 1};
}

TEST_CASE("the reference config loads with the variables it references set") {
  setenv("WEFT_MYSQL_PASSWORD", "ref-config-password", 1);
  auto config = LoadConfig(kReference);
  unsetenv("WEFT_MYSQL_PASSWORD");
  REQUIRE_MESSAGE(config.ok(), config.status().message());

  CHECK(config->state.path == "/var/lib/weft/state.db");
  CHECK(config->state.outbox_limit == 100000);

  REQUIRE(config->sources.size() == 1);
  const SourceConfig& shop = config->sources[0];
  CHECK(shop.name == "shop");
  CHECK(shop.kind == "mysql");
  CHECK(shop.host == "127.0.0.1");
  CHECK(shop.port == 3306);
  CHECK(shop.user == "weft");
  CHECK(shop.password == "ref-config-password");
  CHECK(shop.database == "shop");
  CHECK(shop.tables.empty());
  CHECK(shop.server_id == 5401u);
  CHECK(shop.on_lost_position == "fail");
  CHECK(shop.tls.mode == "preferred");
  CHECK(shop.location.ToString() == kReference + ":" +
                                        std::to_string(PositionOf(ReadFile(kReference),
                                                                  "[sources.shop]\n").first) +
                                        ":1");

  REQUIRE(config->sinks.size() == 3);
  const SinkConfig* docs = config->FindSink("docs");
  REQUIRE(docs != nullptr);
  CHECK(docs->kind == "mongodb");
  CHECK(docs->uri == "mongodb://127.0.0.1:27017/?directConnection=true");
  CHECK(docs->database == "ecommerce");
  CHECK(docs->write_concern == "majority");
  CHECK(docs->batch_size == 1000);
  REQUIRE(config->FindSink("local") != nullptr);
  CHECK(config->FindSink("local")->kind == "sqlite");
  CHECK(config->FindSink("local")->path == "/var/lib/weft/docs.db");
  REQUIRE(config->FindSink("debug") != nullptr);
  CHECK(config->FindSink("debug")->kind == "jsonl");
  CHECK(config->FindSink("debug")->path == "-");

  REQUIRE(config->views.size() == 3);  // the order view, then the two aggregate views (issue 11)
  const ViewConfig* view = config->FindView("order_single_view");
  REQUIRE(view != nullptr);
  CHECK(view->source == "shop");
  CHECK(view->root == "ecom_orders");
  CHECK(view->sink == "docs");
  CHECK(view->collection == "orderSingleView");
  CHECK(view->fields.empty());
  CHECK(view->exclude.empty());

  // All five lookups of the seeds' orderSingleView, in file order, with their tree.
  REQUIRE(view->lookups.size() == 5);
  struct Expected {
    const char* table;
    const char* path;
    const char* type;
    const char* parent_field;
    const char* column;
    int parent;
  };
  const Expected expected[] = {
      {"ecom_customers", "customer_info", "object", "customer_id", "customer_id", -1},
      {"ecom_order_payments", "order_payments", "array", "order_id", "order_id", -1},
      {"ecom_order_items", "order_items", "array", "order_id", "order_id", -1},
      {"ecom_products", "order_items.product", "object", "order_items.product_id", "product_id", 2},
      {"ecom_sellers", "order_items.seller", "object", "order_items.seller_id", "seller_id", 2},
  };
  for (size_t i = 0; i < 5; ++i) {
    const LookupConfig& l = view->lookups[i];
    CAPTURE(i);
    CHECK(l.table == expected[i].table);
    CHECK(l.path == expected[i].path);
    CHECK(l.type == expected[i].type);
    REQUIRE(l.relation.size() == 1);
    CHECK(l.relation[0].first == expected[i].parent_field);
    CHECK(l.relation[0].second == expected[i].column);
    CHECK(l.parent == expected[i].parent);
    CHECK(l.location.line > view->location.line);
  }

  CHECK(config->status.listen == "127.0.0.1:8089");
  CHECK(config->status.enabled);
  CHECK(config->status.host == "127.0.0.1");
  CHECK(config->status.port == 8089);
  CHECK(config->log.level == "info");
}

TEST_CASE("the reference config without WEFT_MYSQL_PASSWORD names the variable and its place") {
  unsetenv("WEFT_MYSQL_PASSWORD");
  auto config = LoadConfig(kReference);
  REQUIRE_FALSE(config.ok());
  auto [line, column] = PositionOf(ReadFile(kReference), "\"${WEFT_MYSQL_PASSWORD}\"");
  CHECK(config.status().message() ==
        kReference + ":" + std::to_string(line) + ":" + std::to_string(column) +
            ": sources.shop.password: environment variable WEFT_MYSQL_PASSWORD is not set "
            "(referenced as ${WEFT_MYSQL_PASSWORD}; export it, or write \"$${\" for a literal \"${\")");
}

TEST_CASE("a missing config file is reported with its path") {
  auto config = LoadConfig("/nonexistent/weft.toml");
  REQUIRE_FALSE(config.ok());
  CHECK(config.status().code() == core::Code::kNotFound);
  CHECK(config.status().message().find("/nonexistent/weft.toml") != std::string::npos);
}

}  // namespace
TEST_CASE("the reference config's aggregate views mean what their comments say") {
  setenv("WEFT_MYSQL_PASSWORD", "ref-config-password", 1);
  auto config = LoadConfig(kReference);
  unsetenv("WEFT_MYSQL_PASSWORD");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  REQUIRE(config->views.size() == 3);
  const ViewConfig& revenue = config->views[1];
  CHECK(revenue.name == "state_revenue");
  CHECK(revenue.is_aggregate());
  CHECK(revenue.filter == "order_status <> 'canceled'");
  REQUIRE(revenue.group_by.size() == 1);
  CHECK(revenue.group_by[0].path == "customer_info.customer_state");
  REQUIRE(revenue.aggregates.size() == 4);
  CHECK(revenue.aggregates[0].name == "revenue");
  CHECK(revenue.aggregates[0].function == "sum");
  CHECK(revenue.aggregates[0].path == "order_items.price");
  CHECK(revenue.top.n == 0);
  const ViewConfig& top = config->views[2];
  REQUIRE(top.group_by.size() == 2);
  CHECK(top.group_by[0].tumble_seconds == 60);
  CHECK(top.top.n == 5);
  CHECK(top.top.by == "revenue");
  CHECK(top.top.descending);
  CHECK(top.top.partition_by == std::vector<std::string>{"minute"});
}

}  // namespace weft::config
