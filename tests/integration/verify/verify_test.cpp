// `weft verify` against a real MariaDB and the SQLite sink. The expected documents are spelled out
// by hand here (not computed by weft), written into the sink through the sink's own Write, and the
// real binary must find them equal; then the sink is tampered with and verify must say exactly how.
#include <doctest/doctest.h>

#include <map>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "config/config.h"
#include "sink/document_sink.h"
#include "change/json_parse.h"

using namespace weft::test;
using weft::change::Value;

namespace {

// Edge cases on purpose: items inserted out of primary-key order (1, 2, 10 must come out
// numerically), an item whose product is missing and one whose seller is missing (path absent),
// an order whose customer is missing and that has no items or payments ([]), NULL datetimes.
constexpr const char* kData = R"(
INSERT INTO ecom_customers VALUES ('C1', 'U1', '01310', 'Sao Paulo', 'SP'), ('C2', 'U2', NULL, 'Rio', 'RJ');
INSERT INTO ecom_products VALUES ('P1', 'books', 350, 22, 3, 15), ('P2', NULL, 800, 30, 20, 20);
INSERT INTO ecom_sellers VALUES ('S1', '13023', 'Campinas', 'SP');
INSERT INTO ecom_orders VALUES
  ('ORD1', 'C1', 'delivered', '2024-10-01 09:12:00', '2024-10-01 09:30:00', NULL, NULL, '2024-10-09 00:00:00'),
  ('ORD2', 'C404', 'pending', '2024-11-01 08:05:00', NULL, NULL, NULL, NULL),
  ('ORD3', 'C2', 'shipped', '2024-10-20 18:40:00', '2024-10-20 19:00:00', '2024-10-21 10:00:00', NULL, '2024-10-30 00:00:00');
INSERT INTO ecom_order_items VALUES
  ('ORD1', 10, 'P2', 'S1', '2024-10-03 00:00:00', 129.00, 15.20),
  ('ORD1', 2, 'P404', 'S1', NULL, 0.50, 0.00),
  ('ORD1', 1, 'P1', 'S404', '2024-10-03 00:00:00', 39.90, 8.50),
  ('ORD3', 1, 'P1', 'S1', '2024-10-22 00:00:00', 249.99, 32.00);
INSERT INTO ecom_order_payments VALUES
  ('ORD1', 2, 'voucher', 1, 10.00), ('ORD1', 1, 'credit_card', 3, 192.60), ('ORD3', 1, 'boleto', 1, 281.99);
)";

const std::string kP1 = R"({"product_id":"P1","product_category_name":"books","product_weight_g":350,"product_length_cm":22,"product_height_cm":3,"product_width_cm":15})";
const std::string kP2 = R"({"product_id":"P2","product_category_name":null,"product_weight_g":800,"product_length_cm":30,"product_height_cm":20,"product_width_cm":20})";
const std::string kS1 = R"({"seller_id":"S1","seller_zip_code_prefix":"13023","seller_city":"Campinas","seller_state":"SP"})";

std::map<std::string, std::string> ExpectedDocs() {
  std::map<std::string, std::string> docs;
  docs["ORD1"] =
      R"({"_id":"ORD1","order_id":"ORD1","customer_id":"C1","order_status":"delivered",)"
      R"("order_purchase_timestamp":"2024-10-01 09:12:00","order_approved_at":"2024-10-01 09:30:00",)"
      R"("order_delivered_carrier_date":null,"order_delivered_customer_date":null,)"
      R"("order_estimated_delivery_date":"2024-10-09 00:00:00",)"
      R"("customer_info":{"customer_id":"C1","customer_unique_id":"U1","customer_zip_code_prefix":"01310","customer_city":"Sao Paulo","customer_state":"SP"},)"
      R"("order_payments":[{"order_id":"ORD1","payment_sequential":1,"payment_type":"credit_card","payment_installments":3,"payment_value":192.60},)"
      R"({"order_id":"ORD1","payment_sequential":2,"payment_type":"voucher","payment_installments":1,"payment_value":10.00}],)"
      R"("order_items":[)"
      R"({"order_id":"ORD1","order_item_id":1,"product_id":"P1","seller_id":"S404","shipping_limit_date":"2024-10-03 00:00:00","price":39.90,"freight_value":8.50,"product":)" +
      kP1 + R"(},)"
      R"({"order_id":"ORD1","order_item_id":2,"product_id":"P404","seller_id":"S1","shipping_limit_date":null,"price":0.50,"freight_value":0.00,"seller":)" +
      kS1 + R"(},)"
      R"({"order_id":"ORD1","order_item_id":10,"product_id":"P2","seller_id":"S1","shipping_limit_date":"2024-10-03 00:00:00","price":129.00,"freight_value":15.20,"product":)" +
      kP2 + R"(,"seller":)" + kS1 + R"(}]})";
  docs["ORD2"] =
      R"({"_id":"ORD2","order_id":"ORD2","customer_id":"C404","order_status":"pending",)"
      R"("order_purchase_timestamp":"2024-11-01 08:05:00","order_approved_at":null,"order_delivered_carrier_date":null,)"
      R"("order_delivered_customer_date":null,"order_estimated_delivery_date":null,"order_payments":[],"order_items":[]})";
  docs["ORD3"] =
      R"({"_id":"ORD3","order_id":"ORD3","customer_id":"C2","order_status":"shipped",)"
      R"("order_purchase_timestamp":"2024-10-20 18:40:00","order_approved_at":"2024-10-20 19:00:00",)"
      R"("order_delivered_carrier_date":"2024-10-21 10:00:00","order_delivered_customer_date":null,)"
      R"("order_estimated_delivery_date":"2024-10-30 00:00:00",)"
      R"("customer_info":{"customer_id":"C2","customer_unique_id":"U2","customer_zip_code_prefix":null,"customer_city":"Rio","customer_state":"RJ"},)"
      R"("order_payments":[{"order_id":"ORD3","payment_sequential":1,"payment_type":"boleto","payment_installments":1,"payment_value":281.99}],)"
      R"("order_items":[{"order_id":"ORD3","order_item_id":1,"product_id":"P1","seller_id":"S1","shipping_limit_date":"2024-10-22 00:00:00","price":249.99,"freight_value":32.00,"product":)" +
      kP1 + R"(,"seller":)" + kS1 + R"(}]})";
  return docs;
}

// Writes (or, with text == "", deletes) documents with the given _id through a real sink.
void WriteDocs(const std::string& config_path, const std::string& sink_name, const std::string& collection,
               const std::vector<std::pair<Value, std::string>>& docs) {
  auto config = weft::config::LoadConfig(config_path);
  REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  auto sink = weft::sink::MakeSink(*config->FindSink(sink_name));
  REQUIRE_MESSAGE(sink.ok(), sink.status().ToString());
  REQUIRE((*sink)->Open().ok());
  std::vector<weft::sink::DocumentWrite> batch;
  for (const auto& [id, text] : docs) {
    weft::sink::DocumentWrite w;
    w.collection = collection;
    w.id = id;
    w.id_key = weft::sink::IdKeyOf(id);
    if (!text.empty()) {
      auto doc = weft::change::ParseJsonValue(text);  // numbers keep their exact text ("129.00")
      REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
      w.doc = std::move(doc).value();
    }
    batch.push_back(std::move(w));
  }
  std::vector<weft::sink::WriteResult> results;
  REQUIRE((*sink)->Write(batch, &results).ok());
  for (const auto& r : results) REQUIRE_MESSAGE(r.outcome == weft::sink::Outcome::kOk, r.message);
}

// The orderSingleView documents by string _id, into the SQLite sink "local".
void WriteDocs(const std::string& config_path, const std::map<std::string, std::string>& docs) {
  std::vector<std::pair<Value, std::string>> list;
  for (const auto& [id, text] : docs) list.emplace_back(Value::String(id), text);
  WriteDocs(config_path, "local", "orderSingleView", list);
}

struct Setup {
  MariaDBServer server;
  std::string dir;
  std::string config;
  Setup(const std::string& extra = "") {
    REQUIRE_MESSAGE(server.Start(), server.error());
    CreateSeedSchema(server);
    server.Execute(std::string("USE shop;\n") + kData);
    dir = MakeTempDir("weft-verify-");
    config = WriteSeedConfig(dir, server, extra);
  }
  ~Setup() {
    if (!std::getenv("WEFT_TEST_KEEP")) RemoveTree(dir);
  }
};

}  // namespace

TEST_CASE("weft verify finds hand-written expected documents equal, then names each tampering") {
  Setup s;
  WriteDocs(s.config, ExpectedDocs());
  // The hand-written documents went in unchanged (the sink stores weft's JSON rendering).
  CHECK(ReadSqliteDocs(s.dir + "/docs.db", "orderSingleView") == ExpectedDocs());

  WeftResult equal = RunWeft({"verify", "-c", s.config});
  INFO("stdout:\n" << equal.out << "\nstderr:\n" << equal.err);
  CHECK(equal.exit_code == 0);
  CHECK(equal.out.find("view order_single_view -> local/orderSingleView: 3 expected, 3 stored: equal") !=
        std::string::npos);

  // Tamper: a nested field of ORD3 changes, ORD2 disappears, ORD9 appears.
  std::map<std::string, std::string> tampered;
  std::string ord3 = ExpectedDocs()["ORD3"];
  size_t at = ord3.rfind("\"Campinas\"");
  REQUIRE(at != std::string::npos);
  tampered["ORD3"] = ord3.replace(at, 10, "\"Campinaz\"");
  tampered["ORD2"] = "";
  tampered["ORD9"] = R"({"_id":"ORD9","order_id":"ORD9"})";
  WriteDocs(s.config, tampered);

  WeftResult diff = RunWeft({"verify", "-c", s.config, "--view", "order_single_view"});
  INFO("stdout:\n" << diff.out << "\nstderr:\n" << diff.err);
  CHECK(diff.exit_code == 1);
  CHECK(diff.out.find("3 expected, 3 stored: 1 missing, 1 extra, 1 different") != std::string::npos);
  CHECK(diff.out.find("  missing  ORD2\n") != std::string::npos);
  CHECK(diff.out.find("  extra    ORD9\n") != std::string::npos);
  CHECK(diff.out.find("  differs  ORD3\n      order_items[0].seller.seller_city: expected \"Campinas\", "
                      "actual \"Campinaz\"\n") != std::string::npos);
}

TEST_CASE("a source change after the sink was written is a difference at its path") {
  Setup s;
  WriteDocs(s.config, ExpectedDocs());
  // The item order follows the primary key numerically: moving item 10 to 0 moves it first.
  s.server.Execute("UPDATE shop.ecom_order_items SET order_item_id = 0 WHERE order_id = 'ORD1' AND order_item_id = 10;"
                   "UPDATE shop.ecom_order_payments SET payment_value = 220.0 WHERE order_id = 'ORD3'");
  WeftResult r = RunWeft({"verify", "-c", s.config});
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("0 missing, 0 extra, 2 different") != std::string::npos);
  CHECK(r.out.find("order_items[0].order_item_id: expected 0, actual 1") != std::string::npos);
  CHECK(r.out.find("order_payments[0].payment_value: expected 220.00, actual 281.99") != std::string::npos);
}

TEST_CASE("weft verify: usage and config errors exit 2") {
  Setup s(R"(
[[views]]
name = "broken"
source = "shop"
root = "ecom_orders"
sink = "local"
  [[views.lookups]]
  table = "ecom_refunds"
  path = "refunds"
  type = "array"
  relation = [["order_id", "order_id"]]
)");
  WeftResult no_config = RunWeft({"verify"});
  CHECK(no_config.exit_code == 2);
  WeftResult bad_view = RunWeft({"verify", "-c", s.config, "--view", "nope"});
  CHECK(bad_view.exit_code == 2);
  CHECK(bad_view.err.find("no view 'nope' (views: order_single_view, broken)") != std::string::npos);
  WeftResult missing_table = RunWeft({"verify", "-c", s.config, "--view", "broken"});
  CHECK(missing_table.exit_code == 2);
  CHECK(missing_table.err.find("table 'ecom_refunds' does not exist") != std::string::npos);
  WeftResult help = RunWeft({"verify", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Usage: weft verify") == 0);
}

TEST_CASE("after weft run --oneshot, weft verify finds the sink equal to the source") {
  Setup s;
  WeftResult run = RunWeft({"run", "-c", s.config, "--oneshot"}, 120);
  INFO("run stdout:\n" << run.out << "\nrun stderr:\n" << run.err);
  REQUIRE(run.exit_code == 0);
  // The engine's documents are the hand-written ones: verify and the engine agree with the contract.
  CHECK(ReadSqliteDocs(s.dir + "/docs.db", "orderSingleView") == ExpectedDocs());
  WeftResult r = RunWeft({"verify", "-c", s.config});
  INFO("verify stdout:\n" << r.out << "\nverify stderr:\n" << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("3 expected, 3 stored: equal") != std::string::npos);
}

TEST_CASE("weft verify works through the JSONL sink, with composite _id objects") {
  Setup s(R"(
[sinks.lines]
kind = "jsonl"
path = "payments.jsonl"

[[views]]
name = "payments"
source = "shop"
root = "ecom_order_payments"
sink = "lines"
exclude = ["payment_type"]
)");
  auto id = [](const char* order, int seq) {
    return Value::MakeObject({{"order_id", Value::String(order)}, {"payment_sequential", Value::Int(seq)}});
  };
  std::vector<std::pair<Value, std::string>> docs = {
      {id("ORD1", 1), R"({"_id":{"order_id":"ORD1","payment_sequential":1},"order_id":"ORD1","payment_sequential":1,"payment_installments":3,"payment_value":192.60})"},
      {id("ORD1", 2), R"({"_id":{"order_id":"ORD1","payment_sequential":2},"order_id":"ORD1","payment_sequential":2,"payment_installments":1,"payment_value":10.00})"},
      {id("ORD3", 1), R"({"_id":{"order_id":"ORD3","payment_sequential":1},"order_id":"ORD3","payment_sequential":1,"payment_installments":1,"payment_value":281.99})"},
  };
  WriteDocs(s.config, "lines", "payments", docs);
  WeftResult equal = RunWeft({"verify", "-c", s.config, "--view", "payments"});
  INFO("stdout:\n" << equal.out << "\nstderr:\n" << equal.err);
  CHECK(equal.exit_code == 0);
  CHECK(equal.out.find("view payments -> lines/payments: 3 expected, 3 stored: equal") != std::string::npos);

  // The file is replayed: a later line for an _id wins.
  WriteDocs(s.config, "lines", "payments",
            {{id("ORD1", 2), R"({"_id":{"order_id":"ORD1","payment_sequential":2},"order_id":"ORD1","payment_sequential":2,"payment_installments":1,"payment_value":10})"}});
  WeftResult diff = RunWeft({"verify", "-c", s.config, "--view", "payments"});
  INFO("stdout:\n" << diff.out << "\nstderr:\n" << diff.err);
  CHECK(diff.exit_code == 1);
  CHECK(diff.out.find("0 missing, 0 extra, 1 different") != std::string::npos);
  CHECK(diff.out.find(R"(  differs  {"order_id":"ORD1","payment_sequential":2})" "\n"
                      "      payment_value: expected 10.00, actual 10\n") != std::string::npos);
}
