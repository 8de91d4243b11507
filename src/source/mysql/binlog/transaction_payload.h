#pragma once
// TRANSACTION_PAYLOAD_EVENT (40): MySQL 8.0.20+ with binlog_transaction_compression=ON writes each
// transaction's events (QUERY BEGIN, TABLE_MAP, rows events, XID) compressed into one payload event
// between the GTID event and the next transaction. Body: header fields as type / length / value
// (type and length packed integers, the value a packed integer of `length` bytes), ended by type 0:
//   1 PAYLOAD_SIZE (compressed bytes after the header)  2 COMPRESSION_TYPE (0 ZSTD, 255 NONE)
//   3 UNCOMPRESSED_SIZE
// then the compressed bytes (one or more zstd frames). The inner events are ordinary events
// WITHOUT a CRC32 and with log_pos 0; they are decoded as if they were top-level.
//
// Pure functions; any thread. Hostile input gives Corruption, and the inflated size is bounded by
// the header's UNCOMPRESSED_SIZE (itself capped at kMaxInflatedPayload).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "source/mysql/binlog/binlog_event.h"

namespace weft::source::mysql {

// MySQL caps a transaction at max_binlog_cache_size; weft refuses to inflate more than this.
inline constexpr uint64_t kMaxInflatedPayload = uint64_t{4} << 30;

// Inflates `body` (the event after its common header, CRC removed) into `out` (replaced).
core::Status InflateTransactionPayload(std::string_view body, std::string* out);

// Calls `fn` for each inner event of `inflated`, in order; stops at (and returns) its first error.
// Corruption, naming the byte offset inside the payload, when an inner event does not frame.
core::Status ForEachPayloadEvent(std::string_view inflated, const std::function<core::Status(const Event&)>& fn);

}  // namespace weft::source::mysql
