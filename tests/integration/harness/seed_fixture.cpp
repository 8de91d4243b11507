#include "integration/harness/seed_fixture.h"

#include <doctest/doctest.h>

#include <sstream>

namespace weft::test {

void CreateSeedSchema(MariaDBServer& server, const std::string& db) {
  server.Execute("CREATE DATABASE IF NOT EXISTS " + db);
  server.Execute("USE " + db + ";\n" + ReadFile(std::string(WEFT_SOURCE_DIR) + "/tests/data/seeds/schema.sql"));
}

namespace {
std::vector<std::pair<std::string, std::string>> ScenarioSteps() {
  std::string text = ReadFile(std::string(WEFT_SOURCE_DIR) + "/tests/data/seeds/scenario.sql");
  std::vector<std::pair<std::string, std::string>> steps;
  const std::string marker = "-- step: ";
  for (size_t at = text.find(marker); at != std::string::npos;) {
    size_t title_end = text.find('\n', at);
    size_t next = text.find(marker, title_end);
    steps.emplace_back(text.substr(at + marker.size(), title_end - at - marker.size()),
                       text.substr(title_end + 1, (next == std::string::npos ? text.size() : next) - title_end - 1));
    at = next;
  }
  return steps;
}
}  // namespace

std::string SeedScenarioStep(const std::string& name) {
  for (const auto& [title, body] : ScenarioSteps()) if (title == name) return body;
  FAIL("no step '" << name << "' in scenario.sql");
  return "";
}

std::vector<std::string> SeedScenarioStepNames() {
  std::vector<std::string> names;
  for (const auto& [title, body] : ScenarioSteps()) names.push_back(title);
  return names;
}

std::string SeedOrderView(const std::string& sink) {
  return R"([[views]]
name = "order_single_view"
source = "shop"
root = "ecom_orders"
sink = ")" + sink + R"("
collection = "orderSingleView"

  [[views.lookups]]
  table = "ecom_customers"
  path = "customer_info"
  type = "object"
  relation = [["customer_id", "customer_id"]]

  [[views.lookups]]
  table = "ecom_order_payments"
  path = "order_payments"
  type = "array"
  relation = [["order_id", "order_id"]]

  [[views.lookups]]
  table = "ecom_order_items"
  path = "order_items"
  type = "array"
  relation = [["order_id", "order_id"]]

  [[views.lookups]]
  table = "ecom_products"
  path = "order_items.product"
  type = "object"
  relation = [["order_items.product_id", "product_id"]]

  [[views.lookups]]
  table = "ecom_sellers"
  path = "order_items.seller"
  type = "object"
  relation = [["order_items.seller_id", "seller_id"]]
)";
}

std::string WriteSeedConfig(const std::string& dir, const MariaDBServer& server, const std::string& extra) {
  SeedConfigOptions options;
  options.extra = extra;
  return WriteSeedConfig(dir, server, options);
}

std::string WriteSeedConfig(const std::string& dir, const MariaDBServer& server, const SeedConfigOptions& options) {
  std::ostringstream toml;
  toml << "[state]\npath = \"" << dir << "/state.db\"\n" << options.state_extra << "\n\n"
       << "[sources.shop]\nkind = \"mysql\"\nhost = \"127.0.0.1\"\nport = " << server.port()
       << "\nuser = \"root\"\npassword = \"\"\ndatabase = \"shop\"\nserver_id = 5401\n\n"
       << "[sinks.local]\nkind = \"sqlite\"\npath = \"" << dir << "/docs.db\"\n\n"
       << "[status]\nlisten = \"off\"\n\n"
       << SeedOrderView(options.view_sink) << "\n" << options.extra;
  std::string path = dir + "/weft.toml";
  WriteFile(path, toml.str());
  return path;
}

std::map<std::string, std::string> ReadSqliteDocs(const std::string& path, const std::string& collection) {
  std::map<std::string, std::string> docs;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return docs;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  std::string sql = "SELECT id, doc FROM \"" + collection + "\"";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      docs[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] =
          reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return docs;
}

}  // namespace weft::test
