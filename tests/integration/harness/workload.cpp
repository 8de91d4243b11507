#include "integration/harness/workload.h"

#include <algorithm>
#include <chrono>
#include <sstream>

namespace weft::test {

std::string Workload::NextTransaction() {
  int n = Pick(1, 4);
  std::ostringstream sql;
  if (n > 1) sql << "BEGIN;\n";
  for (int i = 0; i < n; ++i) sql << NextStatement() << ";\n";
  if (n > 1) sql << "COMMIT;\n";
  return sql.str();
}

std::string Workload::Id(const char* prefix, int pool) {
  return std::string("'") + prefix + std::to_string(Pick(1, pool)) + "'";
}

std::string Workload::Money() { return std::to_string(Pick(1, 99999)) + "/100"; }

std::string Workload::City() {
  static const char* cities[] = {"'Sao Paulo'", "'Rio'", "'Curitiba'", "'New York'", "'Los Angeles'", "NULL",
                                 "'São José dos Campos'", "'Zürich 😀'"};
  return cities[Pick(0, 7)];
}

std::string Workload::NextStatement() {
  auto order = [&] { return Id("O", 30); };
  auto customer = [&] { return Id("C", 12); };
  auto product = [&] { return Id("P", 8); };
  auto seller = [&] { return Id("S", 5); };
  switch (Pick(0, 17)) {
    case 0: return "INSERT IGNORE INTO ecom_customers VALUES (" + customer() + ", 'U', '0100', " + City() + ", 'SP')";
    case 1: return "INSERT IGNORE INTO ecom_products VALUES (" + product() + ", 'cat" + std::to_string(Pick(1, 5)) +
                   "', " + std::to_string(Pick(1, 5000)) + ", 10, 10, 10)";
    case 2: return "INSERT IGNORE INTO ecom_sellers VALUES (" + seller() + ", '1300', " + City() + ", 'SP')";
    case 3:
    case 4:
      return "INSERT IGNORE INTO ecom_orders VALUES (" + order() + ", " + customer() +
             ", 'created', '2024-11-02 10:20:00', NULL, NULL, NULL, '2024-11-10')";
    case 5:
    case 6:
      return "INSERT IGNORE INTO ecom_order_items VALUES (" + order() + ", " + std::to_string(Pick(1, 3)) + ", " +
             product() + ", " + seller() + ", '2024-11-05', " + Money() + ", " + Money() + ")";
    case 7:
      return "INSERT IGNORE INTO ecom_order_payments VALUES (" + order() + ", " + std::to_string(Pick(1, 2)) +
             ", 'credit_card', " + std::to_string(Pick(1, 10)) + ", " + Money() + ")";
    case 8: return "UPDATE ecom_customers SET customer_city = " + City() + " WHERE customer_id = " + customer();
    case 9:
      return "UPDATE ecom_products SET product_weight_g = " + std::to_string(Pick(1, 9000)) +
             " WHERE product_id = " + product();
    case 10: return "UPDATE ecom_sellers SET seller_city = " + City() + " WHERE seller_id = " + seller();
    case 11:  // a join-key change: the order moves to another customer
      return "UPDATE ecom_orders SET customer_id = " + customer() + ", order_status = 'shipped' WHERE order_id = " +
             order();
    case 12:  // an item moves to another order (join key AND primary key change)
      return "UPDATE IGNORE ecom_order_items SET order_id = " + order() + " WHERE order_id = " + order() +
             " AND order_item_id = " + std::to_string(Pick(1, 3));
    case 13:  // an item changes product and price
      return "UPDATE ecom_order_items SET product_id = " + product() + ", price = " + Money() +
             " WHERE order_id = " + order();
    case 14:  // a root primary-key change
      return "UPDATE IGNORE ecom_orders SET order_id = " + order() + " WHERE order_id = " + order();
    case 15: {
      static const char* tables[] = {"ecom_customers", "ecom_products", "ecom_sellers"};
      static const char* keys[] = {"customer_id", "product_id", "seller_id"};
      static const char* prefixes[] = {"C", "P", "S"};
      static const int pools[] = {12, 8, 5};
      int t = Pick(0, 2);
      return std::string("DELETE FROM ") + tables[t] + " WHERE " + keys[t] + " = " + Id(prefixes[t], pools[t]);
    }
    case 16:
      return "DELETE FROM ecom_order_items WHERE order_id = " + order() +
             " AND order_item_id = " + std::to_string(Pick(1, 3));
    default:
      return Pick(0, 1) ? "DELETE FROM ecom_orders WHERE order_id = " + order()
                        : "DELETE FROM ecom_order_payments WHERE order_id = " + order();
  }
}

BackgroundWorkload::BackgroundWorkload(MariaDBServer& server, unsigned seed, int pause_ms) {
  thread_ = std::thread([this, &server, seed, pause_ms] {
    Workload workload(seed);
    while (!stop_.load()) {
      server.TryExecute("USE shop;\n" + workload.NextTransaction());
      ++done_;
      if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    }
  });
}

BackgroundWorkload::~BackgroundWorkload() { Stop(); }

int BackgroundWorkload::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return done_.load();
}

void LoadBulkOrders(MariaDBServer& server, int orders) {
  std::string n = std::to_string(orders);
  std::string customers = std::to_string(std::max(1, orders / 10));
  server.Execute(
      "USE shop;\n"
      "INSERT INTO ecom_customers SELECT CONCAT('BC', seq), CONCAT('UBC', seq), LPAD(seq MOD 99999, 5, '0'), "
      "  ELT(1 + seq MOD 3, 'Sao Paulo', 'Rio', 'Curitiba'), 'SP' FROM seq_1_to_" + customers + ";\n"
      "INSERT INTO ecom_products SELECT CONCAT('BP', seq), CONCAT('cat', seq MOD 7), seq MOD 5000, 10, 20, 30 "
      "  FROM seq_1_to_1000;\n"
      "INSERT INTO ecom_sellers SELECT CONCAT('BS', seq), '1300', 'Campinas', 'SP' FROM seq_1_to_100;\n"
      "INSERT INTO ecom_orders SELECT CONCAT('B', seq), CONCAT('BC', 1 + seq MOD " + customers + "), 'delivered', "
      "  '2024-01-01 10:00:00' + INTERVAL seq MINUTE, NULL, NULL, NULL, '2024-02-01' FROM seq_1_to_" + n + ";\n"
      "INSERT INTO ecom_order_items SELECT CONCAT('B', seq), 1, CONCAT('BP', 1 + seq MOD 1000), "
      "  CONCAT('BS', 1 + seq MOD 100), '2024-01-05', (seq MOD 50000) / 100, 7.5 FROM seq_1_to_" + n + ";\n"
      "INSERT INTO ecom_order_payments SELECT CONCAT('B', seq), 1, 'boleto', 1, (seq MOD 50000) / 100 + 7.5 "
      "  FROM seq_1_to_" + n + ";\n");
}

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

}  // namespace weft::test
