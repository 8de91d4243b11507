// The Kafka sink against librdkafka's in-process mock cluster: messages, keys and tombstones as a
// consumer reads them back, Scan's replay, a broker outage mid-stream, and per-message errors.
#include "sink/kafka/kafka_sink.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mock_cluster.h"

using namespace weft;
using weft::change::Value;
using weft::sink::DocumentWrite;
using weft::sink::Outcome;
using weft::sink::WriteResult;
using weft::sink::kafka::KafkaSink;

namespace {

DocumentWrite Upsert(const std::string& collection, const Value& id, std::vector<change::Field> fields) {
  Value doc = Value::MakeObject({{"_id", id}});
  for (auto& f : fields) doc.object().push_back(std::move(f));
  return DocumentWrite{collection, id, sink::IdKeyOf(id), doc, 0};
}
DocumentWrite Delete(const std::string& collection, const Value& id) {
  return DocumentWrite{collection, id, sink::IdKeyOf(id), std::nullopt, 0};
}

std::unique_ptr<KafkaSink> OpenSink(const config::SinkConfig& config) {
  auto created = KafkaSink::Create(config);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  std::unique_ptr<KafkaSink> sink = std::move(created).value();
  core::Status s = sink->Open();
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return sink;
}

void WriteOk(KafkaSink& sink, const std::vector<DocumentWrite>& batch) {
  std::vector<WriteResult> results;
  core::Status s = sink.Write(batch, &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(results.size() == batch.size());
  for (const auto& r : results) CHECK_MESSAGE(r.outcome == Outcome::kOk, r.message);
}

}  // namespace

TEST_CASE("documents are keyed by their _id's JSON, and a delete is a tombstone") {
  test::MockCluster cluster;
  cluster.CreateTopic("weft.orders");
  auto sink = OpenSink(cluster.SinkConfig());
  CHECK(sink->component() == "sink.kafka:k");

  Value composite = Value::MakeObject({{"shop", Value::Int(7)}, {"no", Value::String("A-1")}});
  WriteOk(*sink, {Upsert("orders", Value::String("ORD1"), {{"total", Value::Decimal("19.90")}}),
                  Upsert("orders", Value::Int(42), {{"items", Value::MakeArray({Value::Int(1), Value::Null()})}}),
                  Upsert("orders", composite, {{"ok", Value::Bool(true)}})});
  WriteOk(*sink,
          {Delete("orders", Value::Int(42)), Upsert("orders", Value::String("ORD1"), {{"total", Value::Int(5)}})});

  auto messages = cluster.Read("weft.orders");
  REQUIRE(messages.size() == 5);
  std::map<std::string, std::vector<std::optional<std::string>>> by_key;  // per key, in partition order
  for (const auto& m : messages) by_key[m.key].push_back(m.value);
  REQUIRE(by_key.size() == 3);
  CHECK(by_key["\"ORD1\""] ==
        std::vector<std::optional<std::string>>{R"({"_id":"ORD1","total":19.90})", R"({"_id":"ORD1","total":5})"});
  CHECK(by_key["42"] == std::vector<std::optional<std::string>>{R"({"_id":42,"items":[1,null]})", std::nullopt});
  CHECK(by_key[R"({"shop":7,"no":"A-1"})"] ==
        std::vector<std::optional<std::string>>{R"({"_id":{"shop":7,"no":"A-1"},"ok":true})"});

  // Scan replays the topic: the current view, keyed as the engine keys it.
  std::map<std::string, std::string> scanned;
  core::Status s = sink->Scan("orders", [&](const Value& id, const std::string& key, const std::string& canonical) {
    CHECK(key == sink::IdKeyOf(id));
    scanned[key] = canonical;
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(scanned ==
        std::map<std::string, std::string>{
            {"ORD1", sink->Canonical(*Upsert("orders", Value::String("ORD1"), {{"total", Value::Int(5)}}).doc)},
            {R"({"shop":7,"no":"A-1"})", R"({"_id":{"shop":7,"no":"A-1"},"ok":true})"}});
  // A view that was never written scans empty, and its topic is not created by scanning.
  int extra = 0;
  REQUIRE(sink->Scan("never", [&](const Value&, const std::string&, const std::string&) { ++extra; }).ok());
  CHECK(extra == 0);
}

TEST_CASE("topic_prefix names the topics; each collection has its own") {
  test::MockCluster cluster;
  config::SinkConfig config = cluster.SinkConfig();
  config.topic_prefix = "shop.views.";
  cluster.CreateTopic("shop.views.a");
  cluster.CreateTopic("shop.views.b");
  auto sink = OpenSink(config);
  WriteOk(*sink, {Upsert("a", Value::Int(1), {}), Upsert("b", Value::Int(2), {})});
  CHECK(cluster.Latest("shop.views.a") == std::map<std::string, std::string>{{"1", R"({"_id":1})"}});
  CHECK(cluster.Latest("shop.views.b") == std::map<std::string, std::string>{{"2", R"({"_id":2})"}});
}

TEST_CASE("a broker outage mid-stream: writes answer retry, then resume after it with nothing lost") {
  test::MockCluster cluster;
  cluster.CreateTopic("weft.v");
  auto sink = OpenSink(cluster.SinkConfig());
  std::map<std::string, std::string> expected;
  auto batch_of = [&](int from, int to, int version) {
    std::vector<DocumentWrite> batch;
    for (int i = from; i < to; ++i) {
      batch.push_back(Upsert("v", Value::Int(i), {{"version", Value::Int(version)}}));
      expected[std::to_string(i)] = R"({"_id":)" + std::to_string(i) + R"(,"version":)" + std::to_string(version) + "}";
    }
    return batch;
  };
  WriteOk(*sink, batch_of(0, 50, 1));

  cluster.SetAllDown();
  std::vector<DocumentWrite> during = batch_of(50, 80, 2);
  std::vector<WriteResult> results;
  core::Status s = sink->Write(during, &results);
  // Either the whole batch is unknown (retried whole) or every message answers retry: never ok,
  // never rejected, since nothing is wrong with the documents.
  std::vector<DocumentWrite> retry;
  if (s.ok()) {
    for (size_t i = 0; i < results.size(); ++i) {
      CHECK_MESSAGE(results[i].outcome == Outcome::kRetry, results[i].message);
      if (results[i].outcome != Outcome::kOk) retry.push_back(during[i]);
    }
  } else {
    CHECK(s.code() == core::Code::kUnavailable);
    retry = during;
  }
  REQUIRE(retry.size() == during.size());

  // The engine retries after its back-off, as long as the outage lasts (always a retry, never a
  // rejection), and once the cluster is back a retry goes through.
  s = sink->Write(retry, &results);
  if (s.ok())
    for (const auto& r : results) CHECK(r.outcome == Outcome::kRetry);
  cluster.SetAllUp();
  bool written = false;
  for (int attempt = 0; attempt < 10 && !written; ++attempt) {
    s = sink->Write(retry, &results);
    written = s.ok();
    for (const auto& r : results) {
      CHECK(r.outcome != Outcome::kRejected);
      written = written && r.outcome == Outcome::kOk;
    }
  }
  REQUIRE(written);
  WriteOk(*sink, batch_of(80, 100, 3));
  CHECK(cluster.Latest("weft.v") == expected);
}

TEST_CASE("an over-large document is rejected (dead-lettered), its batch-mates are written") {
  test::MockCluster cluster;
  cluster.CreateTopic("weft.big");
  auto sink = OpenSink(cluster.SinkConfig());
  std::vector<DocumentWrite> batch = {
      Upsert("big", Value::Int(1), {}),
      Upsert("big", Value::Int(2), {{"blob", Value::String(std::string(1200000, 'x'))}}),
      Upsert("big", Value::Int(3), {})};
  std::vector<WriteResult> results;
  REQUIRE(sink->Write(batch, &results).ok());
  CHECK(results[0].outcome == Outcome::kOk);
  CHECK(results[1].outcome == Outcome::kRejected);
  CHECK(results[1].message.find("message.max.bytes") != std::string::npos);
  CHECK(results[2].outcome == Outcome::kOk);
  CHECK(cluster.Latest("weft.big").size() == 2);
}

TEST_CASE("a topic the principal may not write rejects its documents") {
  test::MockCluster cluster;
  cluster.CreateTopic("weft.x");
  auto sink = OpenSink(cluster.SinkConfig());
  WriteOk(*sink, {Upsert("x", Value::Int(0), {})});  // the producer id is settled first

  // ApiKey 0 is ProduceRequest.
  rd_kafka_mock_push_request_errors(cluster.get(), 0, 1, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  std::vector<WriteResult> results;
  core::Status s = sink->Write({Upsert("x", Value::Int(1), {})}, &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(results[0].outcome == Outcome::kRejected);
  CHECK(results[0].message.find("grant the sink's principal WRITE") != std::string::npos);
  CHECK(cluster.Latest("weft.x") == std::map<std::string, std::string>{{"0", R"({"_id":0})"}});
}

TEST_CASE("a transient broker error (a leader change) is retried inside librdkafka and succeeds") {
  test::MockCluster cluster;
  cluster.CreateTopic("weft.x");
  auto sink = OpenSink(cluster.SinkConfig());
  WriteOk(*sink, {Upsert("x", Value::Int(0), {})});
  rd_kafka_mock_push_request_errors(cluster.get(), 0, 2, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                    RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  WriteOk(*sink, {Upsert("x", Value::Int(2), {{"v", Value::Int(1)}})});
  auto messages = cluster.Read("weft.x");
  CHECK(messages.size() == 2);  // idempotence: the retried request did not duplicate the message
  CHECK(cluster.Latest("weft.x") ==
        std::map<std::string, std::string>{{"0", R"({"_id":0})"}, {"2", R"({"_id":2,"v":1})"}});
}

TEST_CASE("Open reports Unavailable when no broker answers") {
  test::MockCluster cluster;
  config::SinkConfig config = cluster.SinkConfig();
  cluster.SetAllDown();
  auto created = KafkaSink::Create(config, {.open_timeout_ms = 1500});
  REQUIRE(created.ok());
  core::Status s = (*created)->Open();
  CHECK(s.code() == core::Code::kUnavailable);
  CHECK(s.message().find(config.brokers) != std::string::npos);
}

TEST_CASE("Create refuses a setting librdkafka refuses, and empty brokers") {
  config::SinkConfig config;
  config.name = "k";
  config.kind = "kafka";
  config.brokers = "127.0.0.1:9";
  config.security_protocol = "carrier-pigeon";  // the config loader's enum stops this earlier
  auto created = KafkaSink::Create(config);
  REQUIRE_FALSE(created.ok());
  CHECK(created.status().message().find("security.protocol") != std::string::npos);

  config.security_protocol = "plaintext";
  config.brokers = "";
  created = KafkaSink::Create(config);
  REQUIRE_FALSE(created.ok());
  CHECK(created.status().message().find("brokers") != std::string::npos);
}

TEST_CASE("a batch larger than the bounded producer queue waits for room and is written whole") {
  test::MockCluster cluster;
  cluster.CreateTopic("weft.q");
  config::SinkConfig config = cluster.SinkConfig();
  config.queue_max_messages = 8;
  auto sink = OpenSink(config);
  std::vector<DocumentWrite> batch;
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 300; ++i) {
    batch.push_back(Upsert("q", Value::Int(i), {}));
    expected[std::to_string(i)] = R"({"_id":)" + std::to_string(i) + "}";
  }
  WriteOk(*sink, batch);
  CHECK(cluster.Latest("weft.q") == expected);
}

TEST_CASE("the queue stays full through an outage: the rest of the batch answers retry, nothing is rejected") {
  test::MockCluster cluster;
  cluster.CreateTopic("weft.q");
  config::SinkConfig config = cluster.SinkConfig();
  config.queue_max_messages = 4;
  config.delivery_timeout_ms = 1000;
  auto sink = OpenSink(config);
  cluster.SetAllDown();
  std::vector<DocumentWrite> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(Upsert("q", Value::Int(i), {}));
  std::vector<WriteResult> results;
  core::Status s = sink->Write(batch, &results);
  if (s.ok()) {
    for (const auto& r : results) CHECK_MESSAGE(r.outcome == Outcome::kRetry, r.message);
  } else {
    CHECK(s.code() == core::Code::kUnavailable);
  }
}
