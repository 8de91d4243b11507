#include "sink/kafka/delivery_outcome.h"

#include <string>

namespace weft::sink::kafka {

Outcome OutcomeOf(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Outcome::kOk;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:  // over the producer's or the broker's message.max.bytes
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:  // the topic name is invalid
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
      return Outcome::kRejected;
    default:
      // Timeouts, transport errors, leader changes, an unknown topic that may yet be created, not
      // enough replicas: all may pass. librdkafka already retried within message.timeout.ms.
      return Outcome::kRetry;
  }
}

WriteResult ResultOf(rd_kafka_resp_err_t err, const std::string& topic) {
  Outcome outcome = OutcomeOf(err);
  if (outcome == Outcome::kOk) return {};
  std::string message = "topic " + topic + ": " + rd_kafka_err2str(err) + " (" + rd_kafka_err2name(err) + ")";
  if (err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
    message += "; grant the sink's principal WRITE on the topic";
  } else if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE) {
    message += "; raise the topic's max.message.bytes (and the broker's message.max.bytes)";
  }
  return {outcome, message};
}

}  // namespace weft::sink::kafka
