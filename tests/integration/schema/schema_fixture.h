#pragma once
// Configs and small helpers for the schema tests: the seeds' order view and a customer view on the
// same source, a SQLite sink, and an optional status listener.

#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"

namespace weft::test {

// The seeds' full order view (every one of the six tables).
inline const std::string kOrderView = SeedOrderView("local");

// A customer with its orders: reads neither items, products, sellers nor payments.
inline const std::string kCustomerView = R"([[views]]
name = "customer_orders"
source = "shop"
root = "ecom_customers"
sink = "local"
collection = "customerOrders"

  [[views.lookups]]
  table = "ecom_orders"
  path = "orders"
  type = "array"
  relation = [["customer_id", "customer_id"]]
)";

// Writes `dir`/weft.toml with `views`; status on `status_port` (0: off); `source_extra` lines go
// into [sources.shop]. Returns its path.
inline std::string WriteSchemaConfig(const std::string& dir, const MariaDBServer& server, const std::string& views,
                                     int status_port = 0, const std::string& source_extra = "") {
  std::string text = "[state]\npath = \"" + dir + "/state.db\"\n\n[sources.shop]\nkind = \"mysql\"\n"
                     "host = \"127.0.0.1\"\nport = " + std::to_string(server.port()) +
                     "\nuser = \"root\"\npassword = \"\"\ndatabase = \"shop\"\nserver_id = 5401\n" + source_extra +
                     "\n"
                     "[sinks.local]\nkind = \"sqlite\"\npath = \"" + dir + "/docs.db\"\n\n[status]\nlisten = \"" +
                     (status_port ? "127.0.0.1:" + std::to_string(status_port) : std::string("off")) + "\"\n\n" + views;
  std::string path = dir + "/weft.toml";
  WriteFile(path, text);
  return path;
}

// "FILE:LINE:COL" of the table header ([[views]] or [[views.lookups]]) on the line before the first
// line of `file` that holds `needle` (its `name = ...` or `table = ...`): where the config loader
// locates a view or lookup.
inline std::string LocationOf(const std::string& file, const std::string& needle) {
  std::string text = ReadFile(file);
  size_t at = text.find(needle);
  REQUIRE_MESSAGE(at != std::string::npos, needle);
  size_t line_start = text.rfind('\n', at);
  REQUIRE(line_start != std::string::npos);
  size_t header_start = line_start == 0 ? 0 : text.rfind('\n', line_start - 1) + 1;
  int line = 1;
  for (size_t i = 0; i < header_start; ++i) line += text[i] == '\n';
  size_t column = text.find_first_not_of(' ', header_start) - header_start + 1;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// Every document of a SQLite-sink collection satisfies `pred` (and there is at least one).
template <typename Pred>
bool AllDocs(const std::string& docs_db, const std::string& collection, Pred pred) {
  auto docs = ReadSqliteDocs(docs_db, collection);
  if (docs.empty()) return false;
  for (const auto& [id, doc] : docs) {
    if (!pred(doc)) return false;
  }
  return true;
}

inline bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace weft::test
