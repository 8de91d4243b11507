#pragma once
// A source's change record (change/change.h) in Debezium's envelope, so that the consumers written
// for Debezium topics (Flink's debezium-json format, RisingWave, Materialize, the MongoDB Kafka sink
// connector's CDC handler) read weft's change topics unchanged:
//   key:   {"order_id":"ORD1"}                         the row's primary key (all columns without one)
//   value: {"before":{...}|null,"after":{...}|null,"op":"c|u|d|r","ts_ms":<weft's time>,
//           "source":{"version":..,"connector":"mysql","name":"shop","ts_ms":<commit time>,
//                     "snapshot":"true|false","db":"shop","table":"ecom_orders",
//                     mysql: "gtid","file","pos" | postgresql: "schema","lsn","txId"}}
// A delete is the envelope with op "d" followed by a tombstone for the key (Debezium's default), so
// a compacted change topic forgets deleted rows. The schema-less JSON form (Kafka Connect's
// schemas.enable=false): value types are weft's JSON rendering (change/value.h).
//
// The pipeline publishes a source's change records through the outbox (pipeline/change_records.h):
// one entry per message, with the key as the entry's _id and the envelope as its document, so the
// Kafka sink writes them as it writes documents (key = ToJson(_id), value = ToJson(document)).
//
// Pure functions, any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "change/change.h"

namespace weft::change {

struct EnvelopeMessage {
  std::string key;
  std::optional<std::string> value;  // nullopt: the tombstone after a delete
};

// The same messages as values: `key` the primary key object, `value` the envelope (nullopt: the
// tombstone). ToJson of each gives EnvelopeMessage's text.
struct EnvelopeValues {
  Value key;
  std::optional<Value> value;
};

// Debezium's topic naming: prefix + source name + "." + database (PostgreSQL: schema) + "." + table.
std::string ChangeTopic(const std::string& prefix, const Change& change);

// The messages for one DML change (one, or two for a delete); none for a DDL change. `now_ms` is
// the envelope's ts_ms (when weft handled it; source.ts_ms is the commit time).
std::vector<EnvelopeMessage> EnvelopeMessages(const Change& change, int64_t now_ms);
std::vector<EnvelopeValues> EnvelopeMessageValues(const Change& change, int64_t now_ms);

}  // namespace weft::change
