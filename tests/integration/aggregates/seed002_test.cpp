// Seed 002 end to end (Flink CDC + Paimon's revenue per country): customer 7 moves from France to
// China and France's revenue drops by exactly that customer's orders, China's grows by them; a new
// customer from a new country appears with 0 revenue in the customers-rooted view, and France
// disappears from both views once its last customer leaves (no merge job needed).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "integration/aggregates/agg_fixture.h"
#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

namespace {

std::string WaitDoc(const std::string& docs, const std::string& view, const std::string& id, const std::string& want,
                    WeftProcess& weft) {
  std::string last;
  for (int i = 0; i < 300; ++i) {
    auto all = ReadSqliteDocs(docs, view);
    auto it = all.find(id);
    last = it == all.end() ? "(none)" : it->second;
    if (last == want || !weft.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

}  // namespace

TEST_CASE("seed 002: a customer changing country moves exactly its orders' revenue") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute(
      "CREATE DATABASE shop; USE shop;\n"
      "CREATE TABLE customers(id INT PRIMARY KEY, name VARCHAR(40), country VARCHAR(40));\n"
      "CREATE TABLE orders(id INT PRIMARY KEY, customer_id INT, total DECIMAL(10,2), status VARCHAR(20),"
      " created_at DATETIME NOT NULL);\n"
      "INSERT INTO customers VALUES (6, 'Ana', 'France'), (7, 'Bob', 'France'), (8, 'Chen', 'China');\n"
      "INSERT INTO orders VALUES (1, 6, 10.10, 'paid', '2026-01-01 10:00:05'), (2, 7, 20.20, 'paid', "
      "'2026-01-01 10:00:10'), (3, 7, 0.05, 'paid', '2026-01-01 10:01:00'), (4, 8, 99.99, 'paid', '2026-01-01 "
      "10:01:30');\n");
  std::string dir = MakeTempDir("weft-seed002-");
  std::string config = WriteAggConfig(dir, server);
  std::string docs = dir + "/docs.db";
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));

  std::string france =
      R"({"_id":"France","country":"France","revenue":30.35,"orders":3,"customers":2,"avg_order":10.116667,"largest":20.20,"smallest":0.05})";
  CHECK_MESSAGE(WaitDoc(docs, "country_revenue", "France", france, weft) == france, weft.Stderr());

  server.Execute("USE shop; UPDATE customers SET country = 'China' WHERE id = 7;");
  // 30.35 - (20.20 + 0.05) = 10.10, exactly.
  france = R"({"_id":"France","country":"France","revenue":10.10,"orders":1,"customers":1,"avg_order":10.100000,"largest":10.10,"smallest":10.10})";
  std::string china =
      R"({"_id":"China","country":"China","revenue":120.24,"orders":3,"customers":2,"avg_order":40.080000,"largest":99.99,"smallest":0.05})";
  CHECK_MESSAGE(WaitDoc(docs, "country_revenue", "France", france, weft) == france, weft.Stderr());
  CHECK(WaitDoc(docs, "country_revenue", "China", china, weft) == china);

  // Seed 002's "North Pole": a country with a customer and no orders, from the customers side.
  server.Execute("USE shop; INSERT INTO customers VALUES (11, 'Santa', 'North Pole');");
  std::string pole = R"({"_id":"North Pole","country":"North Pole","customers":1,"orders":0,"revenue":0})";
  CHECK_MESSAGE(WaitDoc(docs, "country_customers", "North Pole", pole, weft) == pole, weft.Stderr());
  CHECK(ReadSqliteDocs(docs, "country_revenue").count("North Pole") == 0);

  // France's last customer leaves: France leaves both views.
  server.Execute("USE shop; UPDATE customers SET country = 'China' WHERE id = 6;");
  CHECK(WaitDoc(docs, "country_revenue", "France", "(none)", weft) == "(none)");
  CHECK(WaitDoc(docs, "country_customers", "France", "(none)", weft) == "(none)");
  std::string why = WaitConverged(server, docs, 20000, &weft);
  CHECK_MESSAGE(why.empty(), why);
}
