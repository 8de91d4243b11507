// `weft run` publishing a source's change records (a kafka sink's change_sources) in Debezium's
// envelope: a throwaway MariaDB, librdkafka's mock cluster inside this test process. The snapshot's
// rows arrive as op "r"; INSERT/UPDATE/DELETE as c/u/d with their before and after images, keyed by
// the primary key, a tombstone after each delete, in order per key; and through a broker outage in
// the middle of the stream, and a SIGKILL while the brokers are down, nothing is lost (every change
// is on the topic at least once, in order, and the last message of each key is its last change).
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "unit/sink_kafka/mock_cluster.h"

using namespace weft::test;
using nlohmann::json;

namespace {

// The sink's topic_prefix + Debezium's <source>.<database>.<table>.
const char* kOrders = "weft.shop.shop.ecom_orders";

// One change of an order as the test reads it back: op and order_status before/after ("-": no image);
// "tombstone" for a null value.
struct Seen {
  std::string op, before, after;
  bool operator==(const Seen& o) const { return op == o.op && before == o.before && after == o.after; }
};

std::string StatusOf(const json& image) { return image.is_null() ? "-" : image.at("order_status").get<std::string>(); }

// Every message of the orders topic per key (its partition's order, which is the order per key).
std::map<std::string, std::vector<Seen>> ByKey(MockCluster& cluster) {
  std::map<std::string, std::vector<Seen>> out;
  for (const auto& m : cluster.Read(kOrders)) {
    if (!m.value) {
      out[m.key].push_back({"tombstone", "", ""});
      continue;
    }
    json v = json::parse(*m.value);
    out[m.key].push_back({v.at("op").get<std::string>(), StatusOf(v.at("before")), StatusOf(v.at("after"))});
  }
  return out;
}

std::string Key(const std::string& order) { return "{\"order_id\":\"" + order + "\"}"; }

std::string Insert(const std::string& order, const std::string& status) {
  return "INSERT INTO ecom_orders (order_id, customer_id, order_status, order_purchase_timestamp, order_approved_at, "
         "order_estimated_delivery_date) VALUES ('" +
         order + "', 'CUST12345', '" + status + "', '2024-11-01 10:00:00', '2024-11-01 10:05:00', '2024-11-10');";
}
std::string Update(const std::string& order, const std::string& status) {
  return "UPDATE ecom_orders SET order_status = '" + status + "' WHERE order_id = '" + order + "';";
}
std::string Delete(const std::string& order) { return "DELETE FROM ecom_orders WHERE order_id = '" + order + "';"; }

// True when `want` appears in `seen` in order (other messages, such as the copies an outage's
// retries leave, may come between).
bool InOrder(const std::vector<Seen>& seen, const std::vector<Seen>& want) {
  size_t next = 0;
  for (const auto& s : seen) {
    if (next < want.size() && s == want[next]) ++next;
  }
  return next == want.size();
}

std::string Show(const std::vector<Seen>& seen) {
  std::string out;
  for (const auto& s : seen) out += s.op + "(" + s.before + "->" + s.after + ") ";
  return out;
}

bool WaitFor(const std::function<bool()>& done, int tenths) {
  for (int i = 0; i < tenths; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

}  // namespace

TEST_CASE("weft run publishes a source's change records in Debezium's envelope, through a broker outage and a crash") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  for (const char* step :
       {"insert customer", "insert order", "insert order item", "insert product", "insert seller", "insert payment"}) {
    server.Execute("USE shop;\n" + SeedScenarioStep(step));
  }

  MockCluster cluster;
  cluster.CreateTopic("weft.orderSingleView");
  for (const char* table :
       {"ecom_orders", "ecom_customers", "ecom_order_items", "ecom_order_payments", "ecom_products", "ecom_sellers"}) {
    cluster.CreateTopic(std::string("weft.shop.shop.") + table);
  }
  std::string dir = MakeTempDir("weft-kafka-changes-");
  SeedConfigOptions options;
  options.view_sink = "bus";
  options.extra = "[sinks.bus]\nkind = \"kafka\"\nbrokers = \"" + cluster.bootstraps() +
                  "\"\ndelivery_timeout_ms = 2000\nbatch_size = 3\nchange_sources = [\"shop\"]\n";
  std::string config = WriteSeedConfig(dir, server, options);

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("connected to Kafka at", 30000), weft.Stderr());

  // The snapshot: the seed's order as op "r", marked as a snapshot read, with its full row.
  std::map<std::string, std::vector<Seen>> seen;
  REQUIRE_MESSAGE(WaitFor([&] { return (seen = ByKey(cluster)).count(Key("ORD789654")) > 0; }, 300), weft.Stderr());
  CHECK(Show(seen[Key("ORD789654")]) == "r(-->pending) ");
  json snapshot = json::parse(*cluster.Read(kOrders).front().value);
  CHECK(snapshot.at("source").at("snapshot") == "true");
  CHECK(snapshot.at("source").at("connector") == "mysql");
  CHECK(snapshot.at("source").at("name") == "shop");
  CHECK(snapshot.at("source").at("table") == "ecom_orders");
  CHECK(snapshot.at("after").at("customer_id") == "CUST12345");

  // Streaming: inserts, updates (one in the same transaction as its insert), a delete.
  server.Execute("USE shop; " + Insert("ORDC1", "created") + Insert("ORDC2", "created"));
  server.Execute("USE shop; BEGIN; " + Insert("ORDC3", "created") + Update("ORDC3", "approved") + " COMMIT;");
  server.Execute("USE shop; " + Update("ORDC1", "shipped") + Delete("ORDC2"));
  std::map<std::string, std::vector<Seen>> expected = {
      {Key("ORDC1"), {{"c", "-", "created"}, {"u", "created", "shipped"}}},
      {Key("ORDC2"), {{"c", "-", "created"}, {"d", "created", "-"}, {"tombstone", "", ""}}},
      {Key("ORDC3"), {{"c", "-", "created"}, {"u", "created", "approved"}}},
  };
  auto all_there = [&] {
    seen = ByKey(cluster);
    for (const auto& [key, want] : expected) {
      if (!InOrder(seen[key], want)) return false;
    }
    return true;
  };
  REQUIRE_MESSAGE(WaitFor(all_there, 300), weft.Stderr());
  // Before the outage every change is there exactly once, in order.
  for (const auto& [key, want] : expected) CHECK_MESSAGE(seen[key] == want, key << ": " << Show(seen[key]));
  json update;
  for (const auto& m : cluster.Read(kOrders)) {
    if (m.key == Key("ORDC1") && m.value && json::parse(*m.value).at("op") == "u") update = json::parse(*m.value);
  }
  CHECK(update.at("source").at("snapshot") == "false");
  CHECK(update.at("source").at("file").get<std::string>().find("bin") != std::string::npos);
  CHECK(update.at("source").at("pos").get<uint64_t>() > 0);
  CHECK(update.at("source").at("ts_ms").get<int64_t>() > 0);
  CHECK(update.at("ts_ms").get<int64_t>() >= update.at("source").at("ts_ms").get<int64_t>() - 1000);

  // A broker outage while more changes arrive: weft keeps them in the outbox and sends them later.
  cluster.SetAllDown();
  server.Execute("USE shop; " + Update("ORDC1", "delivered") + Insert("ORDC4", "created"));
  server.Execute("USE shop; " + Update("ORDC4", "approved") + Delete("ORDC3"));
  server.Execute("USE shop; " + Update("ORDC4", "shipped") + Insert("ORDC2", "again"));
  CHECK_MESSAGE(weft.WaitForLog("retrying in", 30000), weft.Stderr());
  CHECK(weft.running());
  cluster.SetAllUp();
  CHECK_MESSAGE(weft.WaitForLog("sink writes succeed again", 60000), weft.Stderr());
  server.Execute("USE shop; " + Update("ORDC4", "delivered"));

  expected[Key("ORDC1")].push_back({"u", "shipped", "delivered"});
  expected[Key("ORDC2")].push_back({"c", "-", "again"});
  expected[Key("ORDC3")].push_back({"d", "approved", "-"});
  expected[Key("ORDC3")].push_back({"tombstone", "", ""});
  expected[Key("ORDC4")] = {
      {"c", "-", "created"}, {"u", "created", "approved"}, {"u", "approved", "shipped"}, {"u", "shipped", "delivered"}};
  bool complete = WaitFor(all_there, 600);
  for (const auto& [key, want] : expected) {
    // Every change at least once and in order; the last message of a key is its last change, so a
    // consumer applying them (or a compacted topic) ends with the source's state.
    CHECK_MESSAGE(InOrder(seen[key], want), key << ": " << Show(seen[key]));
    REQUIRE(!seen[key].empty());
    CHECK_MESSAGE(seen[key].back() == want.back(), key << ": " << Show(seen[key]));
  }
  REQUIRE_MESSAGE(complete, weft.Stderr());
  // The view's own topic is unaffected by the change records riding the same sink.
  auto docs = cluster.Latest("weft.orderSingleView");
  CHECK(docs.count("\"ORDC4\"") == 1);
  CHECK(docs.count("\"ORDC3\"") == 0);

  // A crash (SIGKILL) while the brokers are down: the change records wait in the state file's
  // outbox, committed with the offset, and the next start sends them.
  cluster.SetAllDown();
  server.Execute("USE shop; " + Update("ORDC1", "returned") + Delete("ORDC4"));
  REQUIRE_MESSAGE(weft.WaitForLog("retrying in", 30000, 2), weft.Stderr());
  weft.Signal(SIGKILL);
  weft.Wait(10000);
  cluster.SetAllUp();
  std::string restart_dir = MakeTempDir("weft-kafka-changes-restart-");
  WeftProcess restarted;
  REQUIRE(restarted.Start({"run", "-c", config}, restart_dir));
  expected[Key("ORDC1")].push_back({"u", "delivered", "returned"});
  expected[Key("ORDC4")].push_back({"d", "delivered", "-"});
  expected[Key("ORDC4")].push_back({"tombstone", "", ""});
  complete = WaitFor(all_there, 600);
  for (const auto& [key, want] : expected) {
    CHECK_MESSAGE(InOrder(seen[key], want), key << ": " << Show(seen[key]));
    REQUIRE(!seen[key].empty());
    CHECK_MESSAGE(seen[key].back() == want.back(), key << ": " << Show(seen[key]));
  }
  REQUIRE_MESSAGE(complete, restarted.Stderr());
  // The snapshot's order was never touched again, and the restart resumed from its offset (no
  // second snapshot): still exactly one record.
  CHECK(Show(seen[Key("ORD789654")]) == "r(-->pending) ");

  restarted.Signal(SIGTERM);
  CHECK(restarted.Wait(20000) == 0);
  if (!std::getenv("WEFT_TEST_KEEP")) {
    RemoveTree(dir);
    RemoveTree(restart_dir);
  }
}
