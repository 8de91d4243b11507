#include "sink/kafka/topic_reader.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace weft::sink::kafka {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// The topic's partition count; 0 when the cluster has no such topic. Lists every topic instead of
// asking for this one, because asking may create it on a broker with auto.create.topics.enable.
core::Result<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return core::Unavailable("cannot read the cluster's metadata: " + std::string(rd_kafka_err2str(err)));
  }
  MetadataPtr md(raw);
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic == md->topics[i].topic) return md->topics[i].partition_cnt;
  }
  return 0;
}

}  // namespace

core::Status ReadTopic(const Settings& settings, const std::string& topic,
                       const std::function<void(const TopicMessage&)>& each, int timeout_ms) {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  Settings consumer = settings;
  // A group id is required by the consumer API; with assign() and no commits it is never joined.
  consumer.emplace_back("group.id", "weft-topic-reader");
  consumer.emplace_back("enable.auto.commit", "false");
  consumer.emplace_back("enable.partition.eof", "false");
  WEFT_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(consumer));
  WEFT_ASSIGN_OR_RETURN(HandlePtr rk, MakeHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  rd_kafka_poll_set_consumer(rk.get());

  WEFT_ASSIGN_OR_RETURN(int partitions, PartitionCount(rk.get(), topic, RemainingMs(deadline)));
  std::map<int32_t, int64_t> end;  // partition -> high watermark, for partitions holding messages
  PartitionListPtr list(rd_kafka_topic_partition_list_new(partitions));
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, RemainingMs(deadline));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return core::Unavailable("cannot read the end offsets of " + topic + " [" + std::to_string(p) +
                               "]: " + rd_kafka_err2str(err));
    }
    if (high <= low) continue;
    end[p] = high;
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  if (end.empty()) return core::Status::Ok();
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return core::Unavailable("cannot assign " + topic + ": " + rd_kafka_err2str(err));
  }
  std::string last_error;
  while (!end.empty()) {
    int wait = RemainingMs(deadline);
    if (wait == 0) {
      return core::Unavailable("reading " + topic + " did not reach its end within " + std::to_string(timeout_ms) +
                               " ms" + (last_error.empty() ? "" : " (last error: " + last_error + ")"));
    }
    MessagePtr msg(rd_kafka_consumer_poll(rk.get(), std::min(wait, 200)));
    if (!msg) continue;
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Consumer errors are reports (a broker went away, librdkafka reconnects): keep reading until
      // the deadline and name the last one if it is reached.
      last_error = rd_kafka_message_errstr(msg.get());
      continue;
    }
    TopicMessage m;
    m.partition = msg->partition;
    m.offset = msg->offset;
    if (msg->key) m.key.assign(static_cast<const char*>(msg->key), msg->key_len);
    if (msg->payload) m.value.emplace(static_cast<const char*>(msg->payload), msg->len);
    auto it = end.find(m.partition);
    if (it == end.end()) continue;
    each(m);
    // The last offset below the watermark is always there: compaction never touches the active
    // segment, and the sink writes no transaction markers.
    if (m.offset + 1 >= it->second) end.erase(it);
  }
  rd_kafka_consumer_close(rk.get());
  return core::Status::Ok();
}

}  // namespace weft::sink::kafka
