// `weft init` against real servers: the seed tables on a throwaway MariaDB without foreign keys
// (the relations are guessed from column names) and with them, and on a throwaway PostgreSQL. Each
// time the real binary writes the config, `weft check` passes it against the same database, and
// `weft run --oneshot` builds the seeds' order document from it into a SQLite sink: the order with
// its customer object, its payments, and its items each with product and seller; `weft verify`
// finds every document equal to its own join of the source.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/postgres_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

namespace {

const std::string kPassword = "weft-secret";
const std::string kPasswordEnv = "WEFT_SOURCE_PASSWORD=" + kPassword;

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
  return text;
}

// Runs `weft init ARGS -o DIR/weft.toml`, then check and run --oneshot on what it wrote, and checks
// the order document ORD000001 of sample_data.sql. Returns the config text.
std::string InitCheckRun(const std::string& dir, std::vector<std::string> args, const std::vector<std::string>& env) {
  const std::string path = dir + "/weft.toml";
  args.insert(args.begin(), "init");
  args.push_back("-o");
  args.push_back(path);
  WeftResult init = RunWeft(args, 60, env);
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  std::string text = ReadFile(path);
  CHECK(text.find(kPassword) == std::string::npos);
  CHECK(init.out.find(kPassword) == std::string::npos);
  CHECK(init.err.find(kPassword) == std::string::npos);
  CHECK(text.find("password = \"${WEFT_SOURCE_PASSWORD}\"") != std::string::npos);
  // Parallel tests would share the status port; everything else runs as weft init wrote it.
  WriteFile(path, ReplaceAll(text, "listen = \"127.0.0.1:8089\"", "listen = \"off\""));

  WeftResult check = RunWeft({"check", "-c", path}, 60, {kPasswordEnv});
  CHECK_MESSAGE(check.exit_code == 0, check.out << check.err << "\n" << text);
  CHECK(check.out.find("views of source shop (orders): OK") != std::string::npos);
  WeftResult run = RunWeft({"run", "-c", path, "--oneshot"}, 120, {kPasswordEnv});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);

  // weft verify's own join of the source agrees with every document the proposed view built.
  WeftResult verify = RunWeft({"verify", "-c", path}, 60, {kPasswordEnv});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  CHECK(verify.out.find(": equal") != std::string::npos);

  auto docs = ReadSqliteDocs(dir + "/docs.db", "orders");
  REQUIRE_MESSAGE(docs.count("ORD000001"), "no order document; config:\n" << text);
  auto doc = nlohmann::json::parse(docs["ORD000001"]);
  INFO(doc.dump());
  CHECK(doc["order_id"] == "ORD000001");
  REQUIRE(doc["customer"].is_object());
  CHECK(doc["customer"]["customer_id"] == doc["customer_id"]);
  REQUIRE(doc["order_payments"].is_array());
  CHECK(doc["order_payments"].size() >= 1);
  REQUIRE(doc["order_items"].is_array());
  REQUIRE(doc["order_items"].size() >= 1);
  for (const auto& item : doc["order_items"]) {
    CHECK(item["order_id"] == "ORD000001");
    REQUIRE(item["product"].is_object());
    CHECK(item["product"]["product_id"] == item["product_id"]);
    REQUIRE(item["seller"].is_object());
    CHECK(item["seller"]["seller_id"] == item["seller_id"]);
  }
  return text;
}

void LoadMariaSeeds(MariaDBServer& server) {
  CreateSeedSchema(server);
  server.Execute("USE shop;\n" + ReadFile(std::string(WEFT_SOURCE_DIR) + "/tests/data/seeds/sample_data.sql"));
  server.Execute(
      "ANALYZE TABLE shop.ecom_customers, shop.ecom_orders, shop.ecom_order_items, shop.ecom_products, "
      "shop.ecom_sellers, shop.ecom_order_payments");
  server.CreateWeftUser(kPassword);
}

}  // namespace

TEST_CASE("weft init on the seed tables without foreign keys: guessed relations build the order document") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), "MariaDB is needed for this test: " << server.error());
  LoadMariaSeeds(server);
  std::string dir = MakeTempDir("weft-init-guess-");
  const std::string url = "mysql://weft:" + kPassword + "@127.0.0.1:" + std::to_string(server.port()) + "/shop";
  std::string text = InitCheckRun(dir, {"--source", url}, {});
  CHECK(text.find("0 declared foreign keys, 5 relations guessed from column names") != std::string::npos);
  CHECK(text.find("GUESSED from column names (no foreign key declared): ecom_order_items(product_id) -> "
                  "ecom_products(product_id)") != std::string::npos);
  CHECK(text.find("# fan-out: ~") != std::string::npos);  // the statistics were analyzed
  CHECK(text.find("When weft init ran, the server met all of these.") != std::string::npos);

  // An existing file is not overwritten without --force.
  WeftResult again = RunWeft({"init", "--source", url, "-o", dir + "/weft.toml"});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("exists; pass --force") != std::string::npos);
  CHECK(again.err.find(kPassword) == std::string::npos);
  WeftResult forced = RunWeft({"init", "--source", url, "-o", dir + "/weft.toml", "--force"});
  CHECK(forced.exit_code == 0);
  // A wrong password: a clear error, exit 1, the URL's password never echoed.
  WeftResult wrong =
      RunWeft({"init", "--source", "mysql://weft:hunter2@127.0.0.1:" + std::to_string(server.port()) + "/shop"});
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("cannot connect") != std::string::npos);
  CHECK(wrong.err.find("hunter2") == std::string::npos);
  RemoveTree(dir);
}

TEST_CASE("weft init on the seed tables with foreign keys, then again from the config it wrote (-c)") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), "MariaDB is needed for this test: " << server.error());
  LoadMariaSeeds(server);
  server.Execute(
      "ALTER TABLE shop.ecom_orders ADD CONSTRAINT fk_order_customer FOREIGN KEY (customer_id) "
      "REFERENCES shop.ecom_customers (customer_id);"
      "ALTER TABLE shop.ecom_order_items ADD CONSTRAINT fk_item_order FOREIGN KEY (order_id) REFERENCES "
      "shop.ecom_orders (order_id),"
      " ADD CONSTRAINT fk_item_product FOREIGN KEY (product_id) REFERENCES shop.ecom_products (product_id),"
      " ADD CONSTRAINT fk_item_seller FOREIGN KEY (seller_id) REFERENCES shop.ecom_sellers (seller_id);"
      "ALTER TABLE shop.ecom_order_payments ADD CONSTRAINT fk_payment_order FOREIGN KEY (order_id) "
      "REFERENCES shop.ecom_orders (order_id)");
  std::string dir = MakeTempDir("weft-init-fk-");
  // The password from the environment, not the URL (it stays out of the process list).
  std::string text = InitCheckRun(
      dir, {"--source", "mariadb://weft@127.0.0.1:" + std::to_string(server.port()) + "/shop"}, {kPasswordEnv});
  CHECK(text.find("5 declared foreign keys, 0 relations guessed") != std::string::npos);
  CHECK(text.find("GUESSED") == std::string::npos);
  CHECK(text.find("foreign key fk_item_seller: ecom_order_items(seller_id) -> ecom_sellers(seller_id)") !=
        std::string::npos);

  std::string dir2 = MakeTempDir("weft-init-config-");
  std::string again = InitCheckRun(dir2, {"-c", dir + "/weft.toml"}, {kPasswordEnv});
  CHECK(again.find("[sources.shop]") != std::string::npos);
  CHECK(again.find("port = " + std::to_string(server.port())) != std::string::npos);
  RemoveTree(dir);
  RemoveTree(dir2);
}

TEST_CASE("weft init on PostgreSQL: declared and guessed relations, check passes, the order document is built") {
  PostgresServer server;
  REQUIRE_MESSAGE(server.Start(), "PostgreSQL 15 is needed for this test: " << server.error());
  server.CreateShop(kPassword);
  // The seed tables in PostgreSQL's dialect, owned by weft (so weft may create its publication);
  // two relations declared, the other three left to the guesses.
  server.Execute(
      "SET ROLE weft;"
      "CREATE TABLE ecom_customers (customer_id VARCHAR(32) PRIMARY KEY, customer_unique_id VARCHAR(32) NOT NULL,"
      " customer_zip_code_prefix VARCHAR(10), customer_city VARCHAR(64), customer_state CHAR(2));"
      "CREATE TABLE ecom_orders (order_id VARCHAR(32) PRIMARY KEY, customer_id VARCHAR(32) NOT NULL"
      " REFERENCES ecom_customers, order_status VARCHAR(20) NOT NULL, order_purchase_timestamp TIMESTAMP,"
      " order_approved_at TIMESTAMP, order_delivered_carrier_date TIMESTAMP, order_delivered_customer_date TIMESTAMP,"
      " order_estimated_delivery_date TIMESTAMP);"
      "CREATE TABLE ecom_products (product_id VARCHAR(32) PRIMARY KEY, product_category_name VARCHAR(64),"
      " product_weight_g INT, product_length_cm INT, product_height_cm INT, product_width_cm INT);"
      "CREATE TABLE ecom_sellers (seller_id VARCHAR(32) PRIMARY KEY, seller_zip_code_prefix VARCHAR(10),"
      " seller_city VARCHAR(64), seller_state CHAR(2));"
      "CREATE TABLE ecom_order_items (order_id VARCHAR(32) NOT NULL REFERENCES ecom_orders, order_item_id INT NOT NULL,"
      " product_id VARCHAR(32) NOT NULL, seller_id VARCHAR(32) NOT NULL, shipping_limit_date TIMESTAMP,"
      " price DECIMAL(10,2), freight_value DECIMAL(10,2), PRIMARY KEY (order_id, order_item_id));"
      "CREATE TABLE ecom_order_payments (order_id VARCHAR(32) NOT NULL, payment_sequential INT NOT NULL,"
      " payment_type VARCHAR(20), payment_installments INT, payment_value DECIMAL(10,2),"
      " PRIMARY KEY (order_id, payment_sequential));");
  server.Execute("SET ROLE weft;\n" + ReadFile(std::string(WEFT_SOURCE_DIR) + "/tests/data/seeds/sample_data.sql"));
  server.Execute("ANALYZE");
  std::string dir = MakeTempDir("weft-init-pg-");
  std::string text = InitCheckRun(
      dir, {"--source", "postgresql://weft:" + kPassword + "@127.0.0.1:" + std::to_string(server.port()) + "/shop"},
      {});
  CHECK(text.find("kind = \"postgresql\"") != std::string::npos);
  CHECK(text.find("2 declared foreign keys, 3 relations guessed") != std::string::npos);
  CHECK(text.find("foreign key ecom_order_items_order_id_fkey: ecom_order_items(order_id) -> ecom_orders(order_id)") !=
        std::string::npos);
  CHECK(text.find("GUESSED from column names (no foreign key declared): ecom_order_payments(order_id)") !=
        std::string::npos);
  CHECK(text.find("wal_level = logical") != std::string::npos);
  RemoveTree(dir);
}
