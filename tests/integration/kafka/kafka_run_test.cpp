// `weft run` end to end into a Kafka sink: a throwaway MariaDB, librdkafka's mock cluster inside this
// test process (weft connects to its loopback brokers), the seeds' order view. After inserts,
// updates, deletes and a broker outage in the middle of the stream, the topic read back and
// compacted by hand (last value per key, tombstones remove) equals the documents a SQLite run
// builds from the same source, and `weft verify` (which reads the topic through the sink's Scan)
// finds it equal to the source.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <string>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "unit/sink_kafka/mock_cluster.h"

using namespace weft::test;

namespace {

const char* kTopic = "weft.orderSingleView";

// More orders of the seed's customer, each with one item and one payment.
std::string MoreOrders(int from, int to) {
  std::string sql = "USE shop;\n";
  for (int i = from; i < to; ++i) {
    std::string id = "'ORDK" + std::to_string(i) + "'";
    sql +=
        "INSERT INTO ecom_orders (order_id, customer_id, order_status, order_purchase_timestamp, "
        "order_approved_at, order_estimated_delivery_date) VALUES (" +
        id +
        ", 'CUST12345', 'pending', '2024-11-01 10:00:00', '2024-11-01 10:05:00', '2024-11-10');\n"
        "INSERT INTO ecom_order_items (order_id, order_item_id, product_id, seller_id, shipping_limit_date, price, "
        "freight_value) VALUES (" +
        id + ", 1, 'PROD56789', 'SELL34567', '2024-11-05', " + std::to_string(10 + i) +
        ", 1.5);\n"
        "INSERT INTO ecom_order_payments (order_id, payment_sequential, payment_type, payment_installments, "
        "payment_value) VALUES (" +
        id + ", 1, 'boleto', 1, " + std::to_string(11 + i) + ");\n";
  }
  return sql;
}

// The SQLite documents as the Kafka topic keys them: the key is the _id's JSON (a JSON string here).
std::map<std::string, std::string> AsTopic(const std::map<std::string, std::string>& sqlite_docs) {
  std::map<std::string, std::string> out;
  for (const auto& [id, doc] : sqlite_docs) out["\"" + id + "\""] = doc;
  return out;
}

}  // namespace

TEST_CASE("weft run into a Kafka sink: the compacted topic equals the view, through a broker outage") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  for (const char* step :
       {"insert customer", "insert order", "insert order item", "insert product", "insert seller", "insert payment"}) {
    server.Execute("USE shop;\n" + SeedScenarioStep(step));
  }
  server.Execute(MoreOrders(0, 10));

  MockCluster cluster;
  cluster.CreateTopic(kTopic);
  std::string dir = MakeTempDir("weft-kafka-run-");
  SeedConfigOptions options;
  options.view_sink = "bus";
  options.extra = "[sinks.bus]\nkind = \"kafka\"\nbrokers = \"" + cluster.bootstraps() +
                  "\"\ndelivery_timeout_ms = 2000\nbatch_size = 4\n";
  std::string config = WriteSeedConfig(dir, server, options);

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("connected to Kafka at", 30000), weft.Stderr());

  // Streaming changes, then an outage while more arrive: the sink answers retry, weft backs off.
  // The outage starts once the snapshot's documents and the first change are in the topic (so the
  // reconciliation after the snapshot, which reads the topic, is behind us).
  server.Execute("USE shop;\n" + SeedScenarioStep("ship the order"));
  server.Execute(MoreOrders(10, 15));
  auto streamed = [&] {
    auto latest = cluster.Latest(kTopic);
    return latest.size() == 16 && latest["\"ORD789654\""].find("\"shipped\"") != std::string::npos;
  };
  bool caught_up = false;
  for (int i = 0; i < 300 && !(caught_up = streamed()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE_MESSAGE(caught_up, weft.Stderr());
  cluster.SetAllDown();
  server.Execute("USE shop;\n" + SeedScenarioStep("raise the payment"));
  server.Execute(
      "USE shop; UPDATE ecom_customers SET customer_city = 'Boston' WHERE customer_id = 'CUST12345';"
      "DELETE FROM ecom_order_payments WHERE order_id = 'ORDK3'; DELETE FROM ecom_order_items WHERE order_id = 'ORDK3';"
      "DELETE FROM ecom_orders WHERE order_id = 'ORDK3';");
  server.Execute(MoreOrders(15, 20));
  CHECK_MESSAGE(weft.WaitForLog("retrying in", 30000), weft.Stderr());
  CHECK(weft.running());
  cluster.SetAllUp();
  CHECK_MESSAGE(weft.WaitForLog("sink writes succeed again", 60000), weft.Stderr());
  server.Execute("USE shop;\n" + SeedScenarioStep("change the item's price and freight"));

  // What the view is: a SQLite --oneshot run over the same (now quiet) source.
  std::string expected_dir = MakeTempDir("weft-kafka-expected-");
  std::string expected_config = WriteSeedConfig(expected_dir, server);
  // A second replica connection needs its own server_id while the first weft still streams.
  std::string text = ReadFile(expected_config);
  REQUIRE(text.find("server_id = 5401") != std::string::npos);
  WriteFile(expected_config, text.replace(text.find("server_id = 5401"), 16, "server_id = 5402"));
  WeftResult oneshot = RunWeft({"run", "-c", expected_config, "--oneshot"}, 120);
  REQUIRE_MESSAGE(oneshot.exit_code == 0, oneshot.err);
  auto expected = AsTopic(ReadSqliteDocs(expected_dir + "/docs.db", "orderSingleView"));
  REQUIRE(expected.size() == 20);  // ORD789654 and ORDK0..ORDK19 but ORDK3
  CHECK(expected.count("\"ORDK3\"") == 0);

  std::map<std::string, std::string> latest;
  for (int i = 0; i < 300 && latest != expected; ++i) {
    latest = cluster.Latest(kTopic);
    if (latest != expected) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(latest == expected);
  // ORDK3 was written at the snapshot and deleted while the brokers were down: its last message is
  // a tombstone, not a missing key.
  bool tombstone = false;
  for (const auto& m : cluster.Read(kTopic)) {
    if (m.key == "\"ORDK3\"") tombstone = !m.value.has_value();
  }
  CHECK(tombstone);

  WeftResult verify = RunWeft({"verify", "-c", config}, 120);
  INFO("verify stdout:\n" << verify.out << "\nverify stderr:\n" << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("20 expected, 20 stored: equal") != std::string::npos);

  weft.Signal(SIGTERM);
  CHECK(weft.Wait(20000) == 0);
  if (!std::getenv("WEFT_TEST_KEEP")) {
    RemoveTree(dir);
    RemoveTree(expected_dir);
  }
}
