#pragma once
// MockCluster: librdkafka's in-process mock Kafka cluster (rdkafka_mock.h) for tests, with the
// brokers listening on loopback ports inside the test process, and the helpers the sink tests share.
// Header-only so the integration tests (tests/integration/kafka) use the same one.

#include <doctest/doctest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <string>

#include "config/config.h"
#include "sink/kafka/kafka_handles.h"
#include "sink/kafka/topic_reader.h"

namespace weft::test {

class MockCluster {
 public:
  explicit MockCluster(int brokers = 3) {
    char error[256];
    // The cluster needs a client instance for its bookkeeping; it keeps working as a client too.
    // It connects nowhere itself, which librdkafka would warn about.
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    REQUIRE_MESSAGE(handle_ != nullptr, error);
    cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
    REQUIRE(cluster_ != nullptr);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }
  void CreateTopic(const std::string& topic, int partitions = 3) {
    REQUIRE(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void SetAllDown() { REQUIRE(rd_kafka_mock_broker_set_down(cluster_, -1) == RD_KAFKA_RESP_ERR_NO_ERROR); }
  void SetAllUp() { REQUIRE(rd_kafka_mock_broker_set_up(cluster_, -1) == RD_KAFKA_RESP_ERR_NO_ERROR); }

  // A kafka sink config pointing at this cluster, with a short delivery timeout so outages show fast.
  config::SinkConfig SinkConfig(const std::string& name = "k") const {
    config::SinkConfig c;
    c.name = name;
    c.kind = "kafka";
    c.brokers = bootstraps();
    c.delivery_timeout_ms = 3000;
    return c;
  }

  // Every message of `topic`, in order per partition.
  std::vector<sink::kafka::TopicMessage> Read(const std::string& topic) const {
    std::vector<sink::kafka::TopicMessage> out;
    config::SinkConfig c = SinkConfig();
    core::Status s = sink::kafka::ReadTopic(sink::kafka::ConnectionSettings(c), topic,
                                            [&](const sink::kafka::TopicMessage& m) { out.push_back(m); });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return out;
  }
  // The topic compacted by hand: the last value per key, tombstoned keys gone.
  std::map<std::string, std::string> Latest(const std::string& topic) const {
    std::map<std::string, std::string> latest;
    for (const auto& m : Read(topic)) {
      if (m.value)
        latest[m.key] = *m.value;
      else
        latest.erase(m.key);
    }
    return latest;
  }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

}  // namespace weft::test
