// Differential end-to-end test: random workloads over the seeds' six tables (inserts, updates,
// deletes, join-key changes, primary-key changes, children before parents, multi-statement
// transactions) against a live `weft run`; afterwards `weft verify` (an independent join computed
// from MariaDB) must find zero differences. Several seeds; one run is restarted mid-workload.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <sstream>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

namespace {

class Workload {
 public:
  explicit Workload(unsigned seed) : rng_(seed) {}

  // One source transaction of 1-4 statements.
  std::string NextTransaction() {
    int n = Pick(1, 4);
    std::ostringstream sql;
    if (n > 1) sql << "BEGIN;\n";
    for (int i = 0; i < n; ++i) sql << NextStatement() << ";\n";
    if (n > 1) sql << "COMMIT;\n";
    return sql.str();
  }

 private:
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string Id(const char* prefix, int pool) { return std::string("'") + prefix + std::to_string(Pick(1, pool)) + "'"; }
  std::string Order() { return Id("O", 30); }
  std::string Customer() { return Id("C", 12); }
  std::string Product() { return Id("P", 8); }
  std::string Seller() { return Id("S", 5); }
  std::string Money() { return std::to_string(Pick(1, 99999)) + "/100"; }
  std::string City() {
    static const char* cities[] = {"'Sao Paulo'", "'Rio'", "'Curitiba'", "'New York'", "'Los Angeles'", "NULL",
                                   "'São José dos Campos'", "'Zürich 😀'"};
    return cities[Pick(0, 7)];
  }

  std::string NextStatement() {
    switch (Pick(0, 17)) {
      case 0: return "INSERT IGNORE INTO ecom_customers VALUES (" + Customer() + ", 'U', '0100', " + City() + ", 'SP')";
      case 1: return "INSERT IGNORE INTO ecom_products VALUES (" + Product() + ", 'cat" + std::to_string(Pick(1, 5)) +
                     "', " + std::to_string(Pick(1, 5000)) + ", 10, 10, 10)";
      case 2: return "INSERT IGNORE INTO ecom_sellers VALUES (" + Seller() + ", '1300', " + City() + ", 'SP')";
      case 3:
      case 4:
        return "INSERT IGNORE INTO ecom_orders VALUES (" + Order() + ", " + Customer() +
               ", 'created', '2024-11-02 10:20:00', NULL, NULL, NULL, '2024-11-10')";
      case 5:
      case 6:
        return "INSERT IGNORE INTO ecom_order_items VALUES (" + Order() + ", " + std::to_string(Pick(1, 3)) + ", " +
               Product() + ", " + Seller() + ", '2024-11-05', " + Money() + ", " + Money() + ")";
      case 7:
        return "INSERT IGNORE INTO ecom_order_payments VALUES (" + Order() + ", " + std::to_string(Pick(1, 2)) +
               ", 'credit_card', " + std::to_string(Pick(1, 10)) + ", " + Money() + ")";
      case 8: return "UPDATE ecom_customers SET customer_city = " + City() + " WHERE customer_id = " + Customer();
      case 9: return "UPDATE ecom_products SET product_weight_g = " + std::to_string(Pick(1, 9000)) + " WHERE product_id = " + Product();
      case 10: return "UPDATE ecom_sellers SET seller_city = " + City() + " WHERE seller_id = " + Seller();
      case 11:  // a join-key change: the order moves to another customer
        return "UPDATE ecom_orders SET customer_id = " + Customer() + ", order_status = 'shipped' WHERE order_id = " + Order();
      case 12:  // an item moves to another order (join key AND primary key change)
        return "UPDATE IGNORE ecom_order_items SET order_id = " + Order() + " WHERE order_id = " + Order() +
               " AND order_item_id = " + std::to_string(Pick(1, 3));
      case 13:  // an item changes product and price
        return "UPDATE ecom_order_items SET product_id = " + Product() + ", price = " + Money() + " WHERE order_id = " + Order();
      case 14:  // a root primary-key change
        return "UPDATE IGNORE ecom_orders SET order_id = " + Order() + " WHERE order_id = " + Order();
      case 15: {
        static const char* tables[] = {"ecom_customers", "ecom_products", "ecom_sellers"};
        static const char* keys[] = {"customer_id", "product_id", "seller_id"};
        static const char* prefixes[] = {"C", "P", "S"};
        static const int pools[] = {12, 8, 5};
        int t = Pick(0, 2);
        return std::string("DELETE FROM ") + tables[t] + " WHERE " + keys[t] + " = " + Id(prefixes[t], pools[t]);
      }
      case 16: return "DELETE FROM ecom_order_items WHERE order_id = " + Order() + " AND order_item_id = " + std::to_string(Pick(1, 3));
      default: return Pick(0, 1) ? "DELETE FROM ecom_orders WHERE order_id = " + Order()
                                 : "DELETE FROM ecom_order_payments WHERE order_id = " + Order();
    }
  }

  std::mt19937 rng_;
};

// Polls `weft verify` until it reports no difference (weft may still be catching up).
WeftResult VerifyEventually(const std::string& config, int seconds) {
  WeftResult r;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
       std::chrono::steady_clock::now() < deadline;) {
    r = RunWeft({"verify", "-c", config});
    if (r.exit_code == 0) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return r;
}

void RunDifferential(unsigned seed, int transactions, bool restart_midway) {
  CAPTURE(seed);
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  std::string dir = MakeTempDir("weft-diff-");
  std::string config = WriteSeedConfig(dir, server);
  Workload workload(seed);
  // Some rows exist before weft starts, so the snapshot and the stream both matter.
  for (int i = 0; i < transactions / 4; ++i) server.TryExecute("USE shop;\n" + workload.NextTransaction());

  auto weft = std::make_unique<WeftProcess>();
  REQUIRE(weft->Start({"run", "-c", config}, dir));
  for (int i = 0; i < transactions; ++i) {
    server.TryExecute("USE shop;\n" + workload.NextTransaction());
    if (restart_midway && i == transactions / 2) {
      weft->Signal(SIGTERM);
      REQUIRE(weft->Wait(10000) == 0);
      weft = std::make_unique<WeftProcess>();
      REQUIRE(weft->Start({"run", "-c", config}, dir));
    }
  }
  WeftResult verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, "verify: " << verify.out << verify.err << "\nweft log:\n" << weft->Stderr());
  CHECK(weft->running());
  int docs = std::stoi(server.QueryValue("SELECT COUNT(*) FROM shop.ecom_orders"));
  CHECK(ReadSqliteDocs(dir + "/docs.db", "orderSingleView").size() == static_cast<size_t>(docs));
  weft->Signal(SIGTERM);
  CHECK(weft->Wait(10000) == 0);
  RemoveTree(dir);
}

}  // namespace

TEST_CASE("random workloads converge: seed 1") { RunDifferential(1, 400, false); }
TEST_CASE("random workloads converge: seed 2, restarted midway") { RunDifferential(2, 400, true); }
TEST_CASE("random workloads converge: seed 3") { RunDifferential(3, 400, false); }
