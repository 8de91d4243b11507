#pragma once
// Move-only owners for the librdkafka handles the Kafka sink uses, each freed with the library's
// own destroy function, and the settings (librdkafka properties) a sink config turns into.
// Threading: a handle belongs to the thread that made it (the sink's writer thread); librdkafka's
// own threads only call the callbacks set on the configuration.

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace weft::sink::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
// rd_kafka_destroy() waits for librdkafka's threads; a producer's undelivered messages are dropped
// (they are still in weft's outbox, so nothing is lost).
struct HandleDeleter {
  void operator()(rd_kafka_t* k) const { rd_kafka_destroy(k); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;

using Settings = std::vector<std::pair<std::string, std::string>>;

// What every client of the sink's cluster shares: bootstrap.servers, client.id, security.protocol,
// sasl.*, ssl.ca.location.
Settings ConnectionSettings(const config::SinkConfig& config);
// The producer's: the connection's plus idempotence (enable.idempotence, acks=all), the bounded
// queue (queue_max_messages / queue_max_kbytes) and message.timeout.ms (delivery_timeout_ms).
Settings ProducerSettings(const config::SinkConfig& config);

// A configuration holding `settings`, with librdkafka's log lines routed to weft's log (component
// "rdkafka"). InvalidArgument naming the property when librdkafka refuses one; a refused
// sasl.password is named without its value.
core::Result<ConfPtr> MakeConf(const Settings& settings);

// rd_kafka_new() for `type`, which then owns the configuration (freed here when it refuses).
// InvalidArgument with librdkafka's reason when it refuses.
core::Result<HandlePtr> MakeHandle(rd_kafka_type_t type, ConfPtr conf);

}  // namespace weft::sink::kafka
