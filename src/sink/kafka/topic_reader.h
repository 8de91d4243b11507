#pragma once
// ReadTopic: every message of a topic from the beginning up to the end it had when the read began
// (each partition's high watermark), through a consumer that assigns the partitions itself, so it
// joins no consumer group and commits nothing. The Kafka sink's Scan() replays a view's topic with
// it (the last message per key wins, a tombstone removes the key), and the tests read topics back.
//
// Threading: blocking; the caller's thread (the sink's writer thread).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "sink/kafka/kafka_handles.h"

namespace weft::sink::kafka {

struct TopicMessage {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone
};

// `settings`: ConnectionSettings() of the cluster. A topic that does not exist reads as empty.
// Unavailable when the cluster does not answer within `timeout_ms` (for the metadata, the
// watermarks, or reaching the end).
core::Status ReadTopic(const Settings& settings, const std::string& topic,
                       const std::function<void(const TopicMessage&)>& each, int timeout_ms = 30000);

}  // namespace weft::sink::kafka
