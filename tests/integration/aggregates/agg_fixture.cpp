#include "integration/aggregates/agg_fixture.h"

#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "change/value.h"
#include "integration/harness/seed_fixture.h"

namespace weft::test {
namespace {

const std::vector<std::string> kCountries = {"France", "China", "Brazil", "Chile", "Japan", "Kenya"};

std::string Str(const std::optional<std::string>& v) { return v ? *v : "null"; }
std::string JsonString(const std::optional<std::string>& v) {
  if (!v) return "null";
  std::string out;
  change::AppendJsonString(*v, &out);
  return out;
}

// The SQLite sink keys a string _id by its text, a DATETIME one by its JSON ("\"2026-...\"").
std::string Minute(const std::string& column) { return "DATE_FORMAT(" + column + ", '%Y-%m-%d %H:%i:00')"; }

}  // namespace

const std::vector<std::string> kAggViews = {"country_revenue", "country_customers", "minute_sales", "top_spenders",
                                            "paid_orders"};

void CreateAggShop(MariaDBServer& server, int customers, int orders, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::ostringstream sql;
  sql << "CREATE DATABASE shop; USE shop;\n"
         "CREATE TABLE customers(id INT PRIMARY KEY, name VARCHAR(40), country VARCHAR(40));\n"
         "CREATE TABLE orders(id INT PRIMARY KEY, customer_id INT, total DECIMAL(10,2), status VARCHAR(20),"
         " created_at DATETIME NOT NULL);\n";
  for (int c = 1; c <= customers; ++c) {
    sql << "INSERT INTO customers VALUES(" << c << ", 'customer " << c << "', '"
        << kCountries[pick(0, static_cast<int>(kCountries.size()) - 1)] << "');\n";
  }
  for (int o = 1; o <= orders; ++o) {
    const char* status = pick(0, 5) == 0 ? "canceled" : "paid";
    sql << "INSERT INTO orders VALUES(" << o << ", " << pick(1, customers) << ", " << pick(100, 50000) / 100 << "."
        << pick(10, 99) << ", '" << status << "', '2026-01-01 10:00:00' + INTERVAL " << pick(0, 299) << " SECOND);\n";
  }
  server.Execute(sql.str());
}

std::string WriteAggConfig(const std::string& dir, const MariaDBServer& server) {
  std::ostringstream toml;
  toml << "[state]\npath = \"" << dir << "/state.db\"\n\n"
       << "[sources.shop]\nkind = \"mysql\"\nhost = \"127.0.0.1\"\nport = " << server.port()
       << "\nuser = \"root\"\npassword = \"\"\ndatabase = \"shop\"\nserver_id = 5401\n\n"
       << "[sinks.local]\nkind = \"sqlite\"\npath = \"" << dir << "/docs.db\"\n\n"
       << "[status]\nlisten = \"off\"\n\n"
       << R"toml([[views]]
name = "country_revenue"
source = "shop"
root = "orders"
sink = "local"
filter = "status <> 'canceled'"
  [[views.lookups]]
  table = "customers"
  path = "customer"
  type = "object"
  relation = [["customer_id", "id"]]
  [views.group_by]
  country = "customer.country"
  [views.aggregates]
  revenue = "sum(total)"
  orders = "count(*)"
  customers = "count_distinct(customer_id)"
  avg_order = "avg(total)"
  largest = "max(total)"
  smallest = "min(total)"

[[views]]
name = "country_customers"
source = "shop"
root = "customers"
sink = "local"
  [[views.lookups]]
  table = "orders"
  path = "orders"
  type = "array"
  relation = [["id", "customer_id"]]
  [views.group_by]
  country = "country"
  [views.aggregates]
  customers = "count(*)"
  orders = "count(orders.id)"
  revenue = "sum(orders.total)"

[[views]]
name = "minute_sales"
source = "shop"
root = "orders"
sink = "local"
having = "orders >= 2"
  [views.group_by]
  minute = "tumble(created_at, '1 minute')"
  [views.aggregates]
  sales = "sum(total)"
  orders = "count(*)"
  biggest = "max(total)"
  buyers = "count_distinct(customer_id)"

[[views]]
name = "paid_orders"
source = "shop"
root = "orders"
sink = "local"
filter = "status = 'paid' AND customer.country <> 'Kenya' AND orders.total >= 50"
  [[views.lookups]]
  table = "customers"
  path = "customer"
  type = "object"
  relation = [["customer_id", "id"]]

[[views]]
name = "top_spenders"
source = "shop"
root = "orders"
sink = "local"
  [views.group_by]
  minute = "tumble(created_at, '1 minute')"
  customer_id = "customer_id"
  [views.aggregates]
  spent = "sum(total)"
  [views.top]
  n = 3
  by = "spent"
  partition_by = ["minute"]
)toml";
  std::string path = dir + "/weft.toml";
  WriteFile(path, toml.str());
  return path;
}

std::map<std::string, std::string> OracleDocs(MariaDBServer& server, const std::string& view) {
  std::map<std::string, std::string> docs;
  if (view == "country_revenue") {
    for (const auto& r : server.Query(
             "SELECT c.country, SUM(o.total), COUNT(*), COUNT(DISTINCT o.customer_id), AVG(o.total), MAX(o.total), "
             "MIN(o.total) FROM shop.orders o LEFT JOIN shop.customers c ON c.id = o.customer_id "
             "WHERE o.status <> 'canceled' GROUP BY c.country")) {
      docs[Str(r[0])] = "{\"_id\":" + JsonString(r[0]) + ",\"country\":" + JsonString(r[0]) + ",\"revenue\":" +
                        Str(r[1]) + ",\"orders\":" + Str(r[2]) + ",\"customers\":" + Str(r[3]) +
                        ",\"avg_order\":" + Str(r[4]) + ",\"largest\":" + Str(r[5]) + ",\"smallest\":" + Str(r[6]) +
                        "}";
    }
  } else if (view == "country_customers") {
    // sum() over no values is 0 in weft (a country whose customers have no orders), NULL in SQL.
    for (const auto& r : server.Query(
             "SELECT c.country, COUNT(DISTINCT c.id), COUNT(o.id), SUM(o.total) FROM shop.customers c "
             "LEFT JOIN shop.orders o ON o.customer_id = c.id GROUP BY c.country")) {
      docs[Str(r[0])] = "{\"_id\":" + JsonString(r[0]) + ",\"country\":" + JsonString(r[0]) + ",\"customers\":" +
                        Str(r[1]) + ",\"orders\":" + Str(r[2]) + ",\"revenue\":" + (r[3] ? *r[3] : "0") + "}";
    }
  } else if (view == "minute_sales") {
    for (const auto& r : server.Query(
             "SELECT " + Minute("created_at") + " m, DATE_FORMAT(" + Minute("created_at") +
             " + INTERVAL 1 MINUTE, '%Y-%m-%d %H:%i:%s'), SUM(total), COUNT(*), MAX(total), "
             "COUNT(DISTINCT customer_id) FROM shop.orders GROUP BY m HAVING COUNT(*) >= 2")) {
      docs[JsonString(r[0])] = "{\"_id\":" + JsonString(r[0]) + ",\"minute\":" + JsonString(r[0]) + ",\"window_start\":" +
                        JsonString(r[0]) + ",\"window_end\":" + JsonString(r[1]) + ",\"sales\":" + Str(r[2]) +
                        ",\"orders\":" + Str(r[3]) + ",\"biggest\":" + Str(r[4]) + ",\"buyers\":" + Str(r[5]) + "}";
    }
  } else if (view == "paid_orders") {
    // A wide view with a filter: rows enter and leave it as their status, total or customer's
    // country change.
    for (const auto& r : server.Query(
             "SELECT o.id, o.customer_id, o.total, o.status, o.created_at, c.id, c.name, c.country FROM shop.orders o "
             "JOIN shop.customers c ON c.id = o.customer_id WHERE o.status = 'paid' AND c.country <> 'Kenya' AND "
             "o.total >= 50")) {
      docs[Str(r[0])] = "{\"_id\":" + Str(r[0]) + ",\"id\":" + Str(r[0]) + ",\"customer_id\":" + Str(r[1]) +
                        ",\"total\":" + Str(r[2]) + ",\"status\":" + JsonString(r[3]) + ",\"created_at\":" +
                        JsonString(r[4]) + ",\"customer\":{\"id\":" + Str(r[5]) + ",\"name\":" + JsonString(r[6]) +
                        ",\"country\":" + JsonString(r[7]) + "}}";
    }
  } else if (view == "top_spenders") {
    std::map<std::string, std::pair<std::string, std::string>> parts;  // minute -> (end, items)
    for (const auto& r : server.Query(
             "SELECT m, e, customer_id, spent FROM (SELECT m, e, customer_id, spent, ROW_NUMBER() OVER "
             "(PARTITION BY m ORDER BY spent DESC, customer_id ASC) rn FROM (SELECT " + Minute("created_at") +
             " m, DATE_FORMAT(" + Minute("created_at") + " + INTERVAL 1 MINUTE, '%Y-%m-%d %H:%i:%s') e, "
             "customer_id, SUM(total) spent FROM shop.orders GROUP BY m, customer_id) g) r WHERE rn <= 3 "
             "ORDER BY m, rn")) {
      auto& p = parts[Str(r[0])];
      p.first = Str(r[1]);
      p.second += std::string(p.second.empty() ? "" : ",") + "{\"customer_id\":" + Str(r[2]) + ",\"spent\":" +
                  Str(r[3]) + "}";
    }
    for (const auto& [m, p] : parts) {
      docs["\"" + m + "\""] = "{\"_id\":\"" + m + "\",\"minute\":\"" + m + "\",\"window_start\":\"" + m + "\",\"window_end\":\"" +
                p.first + "\",\"top\":[" + p.second + "]}";
    }
  }
  return docs;
}

std::string WaitConverged(MariaDBServer& server, const std::string& docs_path, int timeout_ms, WeftProcess* weft) {
  std::map<std::string, std::map<std::string, std::string>> want;
  for (const auto& v : kAggViews) want[v] = OracleDocs(server, v);
  std::string why;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    why.clear();
    for (const auto& v : kAggViews) {
      auto got = ReadSqliteDocs(docs_path, v);
      if (got == want[v]) continue;
      why += "view " + v + ": " + std::to_string(got.size()) + " documents, expected " +
             std::to_string(want[v].size()) + "\n";
      int shown = 0;
      for (const auto& [id, doc] : want[v]) {
        auto it = got.find(id);
        if (it != got.end() && it->second == doc) continue;
        if (shown++ < 3) why += "  expected " + doc + "\n  got      " + (it == got.end() ? "(none)" : it->second) + "\n";
      }
      for (const auto& [id, doc] : got) {
        if (!want[v].count(id) && shown++ < 6) why += "  extra    " + doc + "\n";
      }
    }
    if (why.empty()) return why;
    if (std::chrono::steady_clock::now() > until || (weft && !weft->running())) return why;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string AggWorkload::RandomCountry() {
  if (Pick(0, 9) == 0) return "Land" + std::to_string(++new_countries_);
  return kCountries[Pick(0, static_cast<int>(kCountries.size()) - 1)];
}

std::string AggWorkload::Statement() {
  // Orders are picked by a random existing row (ids change: inserts, key updates, deletes).
  const std::string any = "(SELECT id FROM (SELECT id FROM orders ORDER BY RAND() LIMIT 1) t)";
  const std::string country = "'" + kCountries[Pick(0, static_cast<int>(kCountries.size()) - 1)] + "'";
  auto extreme = [&](const char* order) {
    return "(SELECT id FROM (SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = " +
           country + " ORDER BY o.total " + order + ", o.id LIMIT 1) t)";
  };
  std::ostringstream s;
  switch (Pick(0, 13)) {
    case 0:
    case 1:
      s << "INSERT INTO orders VALUES(" << ++next_order_ << ", (SELECT id FROM customers ORDER BY RAND() LIMIT 1), "
        << Pick(100, 50000) / 100 << "." << Pick(10, 99) << ", '" << (Pick(0, 4) ? "paid" : "canceled")
        << "', '2026-01-01 10:00:00' + INTERVAL " << Pick(0, 299) << " SECOND)";
      break;
    case 2:
      s << "UPDATE orders SET total = " << Pick(100, 50000) / 100 << "." << Pick(10, 99) << " WHERE id = " << any;
      break;
    case 3:
      s << "UPDATE orders SET status = IF(status = 'canceled', 'paid', 'canceled') WHERE id = " << any;
      break;
    case 4:
      s << "UPDATE orders SET customer_id = (SELECT id FROM customers ORDER BY RAND() LIMIT 1) WHERE id = " << any;
      break;
    case 5:  // across a bucket boundary, either way
      s << "UPDATE orders SET created_at = created_at + INTERVAL " << Pick(-90, 90) << " SECOND WHERE id = " << any;
      break;
    case 6:
      s << "DELETE FROM orders WHERE id = " << any;
      break;
    case 7:
      s << "DELETE FROM orders WHERE id = " << extreme("DESC");
      break;
    case 8:
      s << "DELETE FROM orders WHERE id = " << extreme("ASC");
      break;
    case 9:  // a tie with the current maximum, then often its deletion
      s << "UPDATE orders SET total = (SELECT m FROM (SELECT MAX(total) m FROM orders) t) WHERE id = " << any;
      break;
    case 10:
      s << "UPDATE customers SET country = '" << RandomCountry()
        << "' WHERE id = (SELECT id FROM (SELECT id FROM customers ORDER BY RAND() LIMIT 1) t)";
      break;
    case 11:
      s << "INSERT INTO customers VALUES(" << ++next_customer_ << ", 'new', '" << RandomCountry() << "')";
      break;
    case 12:  // a primary-key change of a root row
      s << "UPDATE orders SET id = " << ++next_order_ << " WHERE id = " << any;
      break;
    default:  // top-N churn: one customer's order in one minute grows
      s << "UPDATE orders SET total = total + " << Pick(1, 300) << " WHERE id = " << any;
      break;
  }
  return s.str() + ";\n";
}

std::string AggWorkload::NextTransaction() {
  std::string sql = "BEGIN;\n";
  int n = Pick(1, 4);
  for (int i = 0; i < n; ++i) sql += Statement();
  return sql + "COMMIT;\n";
}

}  // namespace weft::test
