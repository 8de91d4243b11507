#include "sink/kafka/kafka_sink.h"

#include <chrono>
#include <cstdint>
#include <map>

#include "change/json_parse.h"
#include "core/log.h"
#include "sink/kafka/delivery_outcome.h"
#include "sink/kafka/topic_reader.h"

namespace weft::sink::kafka {
namespace {

// Beyond message.timeout.ms every message has a report (delivered or timed out); the margin covers
// librdkafka's own timer granularity.
constexpr int64_t kReportMarginMs = 5000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// A message's opaque is its batch entry and the Write() that produced it, packed into the pointer
// value itself, so no allocation can leak when librdkafka drops a message without a report (a
// producer destroyed with messages in its queue). 24 bits of generation are plenty: a message has a
// report or is purged within one Write(), while the generation moves by two per Write().
struct KafkaSink::Delivery {
  static constexpr int kIndexBits = 40;
  static void* Pack(uint64_t generation, size_t index) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(((generation & 0xFFFFFF) << kIndexBits) | index));
  }
  static uint64_t Generation(void* opaque) { return reinterpret_cast<uintptr_t>(opaque) >> kIndexBits; }
  static size_t Index(void* opaque) {
    return static_cast<size_t>(reinterpret_cast<uintptr_t>(opaque) & ((uintptr_t{1} << kIndexBits) - 1));
  }
};

core::Result<std::unique_ptr<KafkaSink>> KafkaSink::Create(const config::SinkConfig& config, KafkaSinkOptions options) {
  std::string where =
      (config.location.file.empty() ? std::string() : config.location.ToString() + ": ") + "sink " + config.name + ": ";
  if (config.brokers.empty()) return core::InvalidArgument(where + "brokers is empty: set brokers = \"host:9092\"");
  // Every setting is tried now, so a bad one is a config error at start rather than at Open().
  auto conf = MakeConf(ProducerSettings(config));
  if (!conf.ok()) return core::InvalidArgument(where + conf.status().message());
  return std::unique_ptr<KafkaSink>(new KafkaSink(config, options));
}

core::Status KafkaSink::CreateProducer() {
  WEFT_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(ProducerSettings(config_)));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaSink::OnDelivery);
  rd_kafka_conf_set_opaque(conf.get(), this);
  WEFT_ASSIGN_OR_RETURN(producer_, MakeHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  return core::Status::Ok();
}

core::Status KafkaSink::Open() {
  producer_.reset();
  WEFT_RETURN_IF_ERROR(CreateProducer());
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(producer_.get(), 0, nullptr, &raw, options_.open_timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    producer_.reset();
    return core::Unavailable("cannot reach Kafka at " + config_.brokers + ": " + rd_kafka_err2str(err));
  }
  MetadataPtr md(raw);
  core::Logger(component())
      .Info("connected to Kafka at " + config_.brokers + " (" + std::to_string(md->broker_cnt) + " brokers), topics " +
            config_.topic_prefix + "<view>, idempotent, acks=all");
  return core::Status::Ok();
}

void KafkaSink::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  if (self->results_ == nullptr || Delivery::Generation(msg->_private) != (self->generation_ & 0xFFFFFF)) return;
  size_t index = Delivery::Index(msg->_private);
  (*self->results_)[index] = ResultOf(msg->err, self->topics_[index]);
  --self->outstanding_;
}

WriteResult KafkaSink::Produce(const DocumentWrite& write, size_t index, int64_t deadline_ms) {
  const std::string& topic = topics_[index];
  std::string key = KeyOf(write.id);
  std::string value;
  if (write.doc) change::AppendJson(*write.doc, &value);
  // A null value is a tombstone. (Computed here: librdkafka's macros do not parenthesize arguments.)
  void* payload = write.doc ? value.data() : nullptr;
  size_t payload_size = write.doc ? value.size() : 0;
  while (true) {
    // RD_KAFKA_MSG_F_COPY: librdkafka keeps its own copy of key and value.
    rd_kafka_resp_err_t err =
        rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
                          RD_KAFKA_V_VALUE(payload, payload_size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_OPAQUE(Delivery::Pack(generation_, index)), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++outstanding_;
      return {};
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return ResultOf(err, topic);
    // The bounded queue is full: serve reports (which free room) until it has room or time is up.
    if (NowMs() >= deadline_ms) {
      return {Outcome::kRetry, "topic " + topic + ": the producer queue stayed full (queue_max_messages " +
                                   std::to_string(config_.queue_max_messages) + ", queue_max_kbytes " +
                                   std::to_string(config_.queue_max_kbytes) + ")"};
    }
    rd_kafka_poll(producer_.get(), 50);
  }
}

core::Status KafkaSink::Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) {
  results->assign(batch.size(), WriteResult{});
  if (batch.empty()) return core::Status::Ok();
  if (!producer_) WEFT_RETURN_IF_ERROR(Open());  // after a fatal producer error

  ++generation_;
  outstanding_ = 0;
  results_ = results;
  topics_.clear();
  for (const auto& w : batch) topics_.push_back(TopicOf(w.collection));
  int64_t deadline = NowMs() + config_.delivery_timeout_ms + kReportMarginMs;
  for (size_t i = 0; i < batch.size(); ++i) {
    WriteResult r = Produce(batch[i], i, deadline);
    if (r.outcome != Outcome::kOk) (*results)[i] = std::move(r);
  }
  while (outstanding_ > 0 && NowMs() < deadline) rd_kafka_poll(producer_.get(), 100);
  size_t missing = outstanding_;
  results_ = nullptr;
  ++generation_;  // late reports of this batch are dropped from here on

  char reason[512];
  if (rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(producer_.get(), reason, sizeof reason)) {
    // An idempotent producer that hit a fatal error cannot produce again; a new one starts afresh.
    producer_.reset();
    return core::Unavailable(std::string("the Kafka producer failed (") + rd_kafka_err2name(fatal) + ": " + reason +
                             "); recreating it");
  }
  if (missing > 0) {
    // Should not happen (message.timeout.ms bounds every report). Purge what is left so a stale copy
    // cannot land after the newer one the engine sends next.
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_.get(), 0);
    return core::Unavailable(std::to_string(missing) + " of " + std::to_string(batch.size()) +
                             " messages got no delivery report within " +
                             std::to_string(config_.delivery_timeout_ms + kReportMarginMs) + " ms");
  }
  return core::Status::Ok();
}

std::string KafkaSink::Canonical(const change::Value& doc) const {
  std::string text = change::ToJson(doc);
  auto parsed = change::ParseJsonValue(text);
  return parsed.ok() ? change::ToJson(*parsed) : text;
}

std::string KafkaSink::ScanIdKey(const change::Value& id) const {
  auto parsed = change::ParseJsonValue(change::ToJson(id));
  return parsed.ok() ? IdKeyOf(*parsed) : IdKeyOf(id);
}

core::Status KafkaSink::Scan(const std::string& collection, const ScanCallback& each) {
  const std::string topic = TopicOf(collection);
  // The last message per key wins; a tombstone removes the key. Held in memory: a view's documents.
  std::map<std::string, std::string> current;
  size_t unreadable = 0;
  core::Status s = ReadTopic(
      ConnectionSettings(config_), topic,
      [&](const TopicMessage& m) {
        if (m.value)
          current[m.key] = *m.value;
        else
          current.erase(m.key);
      },
      static_cast<int>(config_.delivery_timeout_ms));
  if (!s.ok()) return s;
  for (const auto& [key, value] : current) {
    auto id = change::ParseJsonValue(key);
    auto doc = change::ParseJsonValue(value);
    if (!id.ok() || !doc.ok()) {
      ++unreadable;
      continue;
    }
    each(*id, IdKeyOf(*id), change::ToJson(*doc));
  }
  if (unreadable > 0) {
    core::Logger(component())
        .Warn("topic " + topic + ": skipped " + std::to_string(unreadable) +
              " keys whose key or value is not JSON (written by something other than weft?)");
  }
  return core::Status::Ok();
}

}  // namespace weft::sink::kafka
