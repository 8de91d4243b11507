#pragma once
// How a Kafka error for one message becomes the engine's answer (document_sink.h): what a broker
// outage or a slow cluster causes is kRetry, so the engine backs off and sends the document again;
// what would fail the same way every time (a message over the size limit, a topic the principal may
// not write, a record the broker calls invalid) is kRejected, and the document is dead-lettered.
// Pure functions, any thread.

#include <librdkafka/rdkafka.h>

#include "sink/document_sink.h"

namespace weft::sink::kafka {

// RD_KAFKA_RESP_ERR_NO_ERROR -> kOk.
Outcome OutcomeOf(rd_kafka_resp_err_t err);
// The result for `err` with librdkafka's description and, for a rejection, what to change.
WriteResult ResultOf(rd_kafka_resp_err_t err, const std::string& topic);

}  // namespace weft::sink::kafka
