// The Kafka sink against a real cluster. Runs when WEFT_TEST_KAFKA_BROKERS is set (for example
// 127.0.0.1:9092, plaintext), otherwise says loudly that it was skipped. Each run writes to its own
// topic (weft_live_<pid>_<ms>.docs), created and deleted through librdkafka's admin API.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "sink/kafka/kafka_handles.h"
#include "sink/kafka/kafka_sink.h"
#include "sink/kafka/topic_reader.h"

using namespace weft;
using weft::change::Value;
using weft::sink::DocumentWrite;
using weft::sink::Outcome;
using weft::sink::WriteResult;
using weft::sink::kafka::KafkaSink;

namespace {

const char* LiveBrokers() {
  const char* brokers = std::getenv("WEFT_TEST_KAFKA_BROKERS");
  return brokers && *brokers ? brokers : nullptr;
}

std::string UniquePrefix() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return "weft_live_" + std::to_string(getpid()) + "_" + std::to_string(ms.count()) + ".";
}

// One admin request (create or delete a topic), waiting for its result event.
bool AdminTopic(const config::SinkConfig& c, const std::string& topic, bool create, std::string* error) {
  auto conf = sink::kafka::MakeConf(sink::kafka::ConnectionSettings(c));
  if (!conf.ok()) return *error = conf.status().ToString(), false;
  auto rk = sink::kafka::MakeHandle(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!rk.ok()) return *error = rk.status().ToString(), false;
  sink::kafka::QueuePtr queue(rd_kafka_queue_new(rk->get()));
  char errstr[256];
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk->get(), RD_KAFKA_ADMIN_OP_ANY);
  rd_kafka_AdminOptions_set_request_timeout(options, 10000, errstr, sizeof errstr);
  if (create) {
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(topic.c_str(), 3, -1, errstr, sizeof errstr);
    rd_kafka_NewTopic_set_config(t, "cleanup.policy", "compact");
    rd_kafka_CreateTopics(rk->get(), &t, 1, options, queue.get());
    rd_kafka_NewTopic_destroy(t);
  } else {
    rd_kafka_DeleteTopic_t* t = rd_kafka_DeleteTopic_new(topic.c_str());
    rd_kafka_DeleteTopics(rk->get(), &t, 1, options, queue.get());
    rd_kafka_DeleteTopic_destroy(t);
  }
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue.get(), 15000);
  if (!event) return *error = "no answer within 15 s", false;
  bool ok = rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (!ok) *error = rd_kafka_event_error_string(event);
  rd_kafka_event_destroy(event);
  return ok;
}

struct Live {
  config::SinkConfig config;
  std::unique_ptr<KafkaSink> sink;
  std::string topic;

  Live() {
    config.name = "live";
    config.kind = "kafka";
    config.brokers = LiveBrokers();
    config.topic_prefix = UniquePrefix();
    topic = config.topic_prefix + "docs";
    // A cluster that refuses the admin request may still create the topic on first write
    // (auto.create.topics.enable); what the test checks is what reads back.
    std::string error;
    if (!AdminTopic(config, topic, true, &error)) MESSAGE("could not create topic " << topic << ": " << error);
    auto created = KafkaSink::Create(config);
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
    sink = std::move(created).value();
    core::Status s = sink->Open();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  ~Live() {
    std::string error;
    if (!AdminTopic(config, topic, false, &error)) MESSAGE("could not delete topic " << topic << ": " << error);
  }
};

DocumentWrite Upsert(const Value& id, std::vector<change::Field> fields) {
  Value doc = Value::MakeObject({{"_id", id}});
  for (auto& f : fields) doc.object().push_back(std::move(f));
  return DocumentWrite{"docs", id, sink::IdKeyOf(id), doc, 0};
}

}  // namespace

TEST_CASE("live Kafka suite: runs only with WEFT_TEST_KAFKA_BROKERS") {
  if (!LiveBrokers()) {
    MESSAGE("SKIPPED: set WEFT_TEST_KAFKA_BROKERS (e.g. 127.0.0.1:9092) to run the live Kafka suite");
  } else {
    MESSAGE("running the live Kafka suite against " << std::string(LiveBrokers()));
  }
}

TEST_CASE("live: documents and tombstones reach the topic; Scan reads back the current view" *
          doctest::skip(LiveBrokers() == nullptr)) {
  Live live;
  std::vector<DocumentWrite> batch;
  for (int i = 0; i < 500; ++i) batch.push_back(Upsert(Value::Int(i), {{"v", Value::Int(1)}}));
  std::vector<WriteResult> results;
  REQUIRE(live.sink->Write(batch, &results).ok());
  for (const auto& r : results) REQUIRE_MESSAGE(r.outcome == Outcome::kOk, r.message);
  REQUIRE(live.sink
              ->Write({Upsert(Value::Int(7), {{"v", Value::Int(2)}}),
                       DocumentWrite{"docs", Value::Int(8), "8", std::nullopt, 0}},
                      &results)
              .ok());
  for (const auto& r : results) REQUIRE_MESSAGE(r.outcome == Outcome::kOk, r.message);

  size_t messages = 0, tombstones = 0;
  core::Status s = sink::kafka::ReadTopic(sink::kafka::ConnectionSettings(live.config), live.topic,
                                          [&](const sink::kafka::TopicMessage& m) {
                                            ++messages;
                                            if (!m.value) ++tombstones;
                                          });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(messages == 502);
  CHECK(tombstones == 1);

  std::map<std::string, std::string> scanned;
  s = live.sink->Scan("docs", [&](const Value&, const std::string& key, const std::string& c) { scanned[key] = c; });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(scanned.size() == 499);
  CHECK(scanned["7"] == R"({"_id":7,"v":2})");
  CHECK(scanned.count("8") == 0);
}
