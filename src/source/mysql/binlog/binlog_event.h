#pragma once
// Binlog event framing shared by every event decoder: the 19-byte common header, the CRC32
// checksum trailer, the FORMAT_DESCRIPTION_EVENT (which says whether events carry a checksum and
// how long each type's post-header is), and the event type codes.
//
// Post-header lengths: the decoders in this directory assume the lengths every MariaDB 10.x and
// MySQL 5.6+ server announces: TABLE_MAP 8 (6-byte table id + 2 flag bytes), ROWS v1 and MariaDB's
// compressed v1 8, ROWS v2 10 (+ the variable extra data). CheckPostHeaderLengths() compares a
// server's FORMAT_DESCRIPTION with that assumption so a reader can refuse a server that differs
// (only MySQL 5.1-5.5 era servers with 4-byte table ids would) instead of misdecoding it.
//
// Pure functions on bytes; any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace weft::source::mysql {

namespace event {
inline constexpr uint8_t kQuery = 2;
inline constexpr uint8_t kIntvar = 5;
inline constexpr uint8_t kUserVar = 14;
inline constexpr uint8_t kStop = 3;
inline constexpr uint8_t kRotate = 4;
inline constexpr uint8_t kFormatDescription = 15;
inline constexpr uint8_t kXid = 16;
inline constexpr uint8_t kTableMap = 19;
inline constexpr uint8_t kWriteRowsV1 = 23;
inline constexpr uint8_t kUpdateRowsV1 = 24;
inline constexpr uint8_t kDeleteRowsV1 = 25;
inline constexpr uint8_t kHeartbeat = 27;
inline constexpr uint8_t kRowsQuery = 29;
inline constexpr uint8_t kWriteRowsV2 = 30;
inline constexpr uint8_t kUpdateRowsV2 = 31;
inline constexpr uint8_t kDeleteRowsV2 = 32;
inline constexpr uint8_t kMysqlGtid = 33;
inline constexpr uint8_t kMysqlAnonymousGtid = 34;
inline constexpr uint8_t kMysqlPreviousGtids = 35;
inline constexpr uint8_t kXaPrepare = 38;
inline constexpr uint8_t kPartialUpdateRows = 39;   // MySQL 8 JSON partial updates
inline constexpr uint8_t kTransactionPayload = 40;  // MySQL 8.0.20+ compressed transactions
inline constexpr uint8_t kGtidTagged = 42;          // MySQL 8.3+ GTID with a tag (uuid:tag:gno)
inline constexpr uint8_t kAnnotateRows = 160;
inline constexpr uint8_t kBinlogCheckpoint = 161;
inline constexpr uint8_t kMariadbGtid = 162;
inline constexpr uint8_t kMariadbGtidList = 163;
inline constexpr uint8_t kQueryCompressed = 165;
inline constexpr uint8_t kWriteRowsCompressedV1 = 166;
inline constexpr uint8_t kUpdateRowsCompressedV1 = 167;
inline constexpr uint8_t kDeleteRowsCompressedV1 = 168;
inline constexpr uint8_t kWriteRowsCompressed = 169;
inline constexpr uint8_t kUpdateRowsCompressed = 170;
inline constexpr uint8_t kDeleteRowsCompressed = 171;
}  // namespace event

inline constexpr size_t kCommonHeaderLength = 19;
inline constexpr size_t kFlagsOffset = 17;          // the 2-byte flags field of the common header
inline constexpr uint16_t kBinlogInUseFlag = 0x1;   // LOG_EVENT_BINLOG_IN_USE_F (FDE of an open file)
inline constexpr size_t kChecksumLength = 4;
inline constexpr size_t kTableMapPostHeaderLength = 8;
inline constexpr size_t kRowsV1PostHeaderLength = 8;
inline constexpr size_t kRowsV2PostHeaderLength = 10;

// "TABLE_MAP_EVENT", "WRITE_ROWS_EVENT_V1", ... or "UNKNOWN_EVENT(200)".
std::string EventTypeName(uint8_t type);

enum class RowsKind : uint8_t { kNone, kWrite, kUpdate, kDelete };
struct RowsEventTraits {
  RowsKind kind = RowsKind::kNone;  // kNone: not a rows event this decoder reads
  bool v2 = false;                  // post-header carries extra data (types 30-32)
  bool compressed = false;          // MariaDB's zlib-compressed row data (types 166-171)
  bool partial_json = false;        // MySQL's PARTIAL_UPDATE_ROWS (39): an update whose after-images
                                    // may carry JSON diffs (binlog_row_value_options=PARTIAL_JSON)
};
RowsEventTraits RowsEventTraitsOf(uint8_t type);

struct EventHeader {
  uint32_t timestamp = 0;  // seconds since the epoch (the statement's start on the source)
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // header + body + checksum
  uint32_t log_pos = 0;     // position of the NEXT event in the source's binlog file (0 for some)
  uint16_t flags = 0;
};

// One event split into its parts. `body` points into the input (no copy).
struct Event {
  EventHeader header;
  std::string_view body;  // after the common header, checksum removed
};

// Parses the common header of `raw` (a whole event as the server sent it, without the network
// OK byte). Corruption when shorter than 19 bytes or when event_size disagrees with raw.size().
core::Result<EventHeader> ParseEventHeader(std::string_view raw);

// Splits `raw` into header and body. With `has_checksum` the last 4 bytes are the CRC32 of the
// rest: it is verified (Corruption on mismatch, naming the event type and log_pos) and removed.
core::Result<Event> SplitEvent(std::string_view raw, bool has_checksum);

// CRC-32 (ISO-HDLC, zlib's crc32) as the binlog checksum uses it (binlog_crc32.cpp: carry-less
// multiplication where the CPU has it). BinlogCrc32Portable is zlib alone, for the tests to compare.
uint32_t BinlogCrc32(std::string_view bytes);
uint32_t BinlogCrc32Portable(std::string_view bytes);

enum class ChecksumAlgorithm : uint8_t { kOff = 0, kCrc32 = 1, kUndefined = 255 };

struct FormatDescription {
  uint16_t binlog_version = 0;  // 4 for every server weft supports
  std::string server_version;   // "10.11.6-MariaDB-log", "8.0.36"
  uint32_t create_timestamp = 0;
  uint8_t header_length = 0;    // 19
  std::vector<uint8_t> post_header_lengths;  // index = event type - 1
  ChecksumAlgorithm checksum = ChecksumAlgorithm::kUndefined;
  bool is_mariadb() const { return server_version.find("MariaDB") != std::string::npos; }
  // Post-header length of `type` as the server announced it (-1 when it did not).
  int PostHeaderLength(uint8_t type) const;
};

// Parses a FORMAT_DESCRIPTION_EVENT. `raw` is the whole event INCLUDING its trailer: the FDE is
// what tells the reader whether the other events carry a checksum, so it is parsed before any can
// be stripped. Every server weft supports (MySQL 5.6+, MariaDB 10.x) ends the FDE with the
// algorithm byte and a 4-byte CRC slot; the CRC is verified when the algorithm is CRC32 (with
// LOG_EVENT_BINLOG_IN_USE_F cleared when the flag is set, as the server computed it).
core::Result<FormatDescription> ParseFormatDescription(std::string_view raw);

// Ok when TABLE_MAP and every rows event type have the post-header lengths the decoders assume
// (see the header comment); FailedPrecondition naming the event type otherwise.
core::Status CheckPostHeaderLengths(const FormatDescription& fde);

}  // namespace weft::source::mysql
