#pragma once
// KafkaSink: a view's documents as an upsert stream on the topic topic_prefix + collection. Each
// message's key is the JSON rendering of the document's _id (change::ToJson: "\"ORD1\"", "42",
// {"a":1,"b":"x"}), its value the whole document in the same rendering, and a delete is a tombstone
// (the key with a null value), so a topic with cleanup.policy=compact holds the current view and a
// consumer that keeps the last value per key reads exactly the view's documents.
//
// Delivery (at-least-once, acknowledged through the engine's outbox): Write() produces every
// message of the batch to librdkafka's bounded queue, then waits on the writer thread for each
// message's delivery report (up to delivery_timeout_ms, librdkafka's message.timeout.ms, plus a
// margin). A document counts as written only when its report succeeded under acks=all; the
// producer is idempotent, so librdkafka's own retries neither duplicate nor reorder a partition's
// messages. A report that failed for a reason that may pass (a broker down, a timeout) answers
// kRetry, so the engine keeps the document in the outbox, backs off and sends it again; a message
// too large or a topic the principal may not write answers kRejected (see delivery_outcome.h). A
// replay after a crash resends documents the topic may already hold, which a consumer keeping the
// last value per key absorbs.
//
// A source's change records (a sink's change_sources, pipeline/change_records.h) come as writes like
// documents: collection = the Debezium topic after topic_prefix, _id = the row's key, document = the
// envelope, none for the tombstone; several of one key in a batch are produced in input order, so
// the idempotent producer keeps them in order in the key's partition.
//
// Scan() replays the topic from the beginning (topic_reader.h). Canonical() and ScanIdKey() are the
// document and _id read back from their JSON, as for the JSONL sink.
//
// Threading: the writer thread only, except ScanIdKey. The SASL password is never logged.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "sink/document_sink.h"
#include "sink/kafka/kafka_handles.h"

namespace weft::sink::kafka {

struct KafkaSinkOptions {
  // How long Open() waits for the cluster's metadata before reporting Unavailable.
  int open_timeout_ms = 10000;
};

class KafkaSink final : public DocumentSink {
 public:
  // InvalidArgument when brokers is empty or librdkafka refuses a setting.
  static core::Result<std::unique_ptr<KafkaSink>> Create(const config::SinkConfig& config,
                                                         KafkaSinkOptions options = {});

  std::string component() const override { return "sink.kafka:" + config_.name; }
  // Creates the producer and waits for the cluster's metadata: Unavailable when no broker answers.
  core::Status Open() override;
  // Unavailable (nothing known, the engine retries the batch) when the producer hit a fatal error
  // (it is recreated on the next Write) or a report did not come in time.
  core::Status Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) override;
  std::string Canonical(const change::Value& doc) const override;
  core::Status Scan(const std::string& collection, const ScanCallback& each) override;
  std::string ScanIdKey(const change::Value& id) const override;

  std::string TopicOf(const std::string& collection) const { return config_.topic_prefix + collection; }
  // The message key of a document with _id `id`.
  static std::string KeyOf(const change::Value& id) { return change::ToJson(id); }

 private:
  struct Delivery;  // a message's opaque: which Write() and which entry
  KafkaSink(config::SinkConfig config, KafkaSinkOptions options) : config_(std::move(config)), options_(options) {}
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  core::Status CreateProducer();
  // Produces one message, waiting (polling for reports) while the queue is full, up to `deadline_ms`.
  WriteResult Produce(const DocumentWrite& write, size_t index, int64_t deadline_ms);

  config::SinkConfig config_;
  KafkaSinkOptions options_;
  HandlePtr producer_;
  // Per Write(): reports of an earlier Write (that gave up waiting) carry an older generation and
  // are dropped. Only the writer thread touches these: librdkafka calls OnDelivery from poll().
  uint64_t generation_ = 0;
  size_t outstanding_ = 0;
  std::vector<WriteResult>* results_ = nullptr;
  std::vector<std::string> topics_;  // per entry of the current batch, for messages
};

}  // namespace weft::sink::kafka
