#pragma once
// Rows events (WRITE/UPDATE/DELETE_ROWS) -> row images, decoded by weft itself against the
// preceding TABLE_MAP (libmariadb's mariadb_rpl_extract_rows mis-decodes CHAR, ENUM/SET,
// TIMESTAMP2, negative TIME and partial images, so it is not used).
//
// Layout: post-header table_id (6) flags (2) [v2: extra-data length (2, counting itself) + extra
// data]; body: column count (packed int), columns-present bitmap, [UPDATE: after-image bitmap],
// then rows to the end of the event. Each image is a NULL bitmap over its present columns followed
// by the present non-NULL values (column_value.h). MariaDB's compressed rows events (166-171) carry
// the rows part zlib-compressed behind a one-byte header (0x80 | n) and an n-byte big-endian
// uncompressed length.
//
// MySQL 8's PARTIAL_UPDATE_ROWS_EVENT (39, binlog_row_value_options=PARTIAL_JSON) decodes like
// UPDATE_ROWS_V2, except that each after-image is preceded by value_options (packed int) and, when
// its PARTIAL_JSON bit is set, a bitmap with one bit per JSON column of the table: a marked JSON
// column holds a diff (json_diff.h) that is applied to the before-image's document, so the after
// image is whole. With a MINIMAL before-image that lacks the document, the column is left out of
// the after-image (present = false) instead of guessed. TRANSACTION_PAYLOAD_EVENT (40) is not a
// rows event: its inner events are (transaction_payload.h).
//
// Pure functions; any thread. Hostile input yields kCorruption, never a read out of bounds.

#include <cstdint>
#include <string_view>
#include <vector>

#include "change/change.h"
#include "change/table_schema.h"
#include "core/status.h"
#include "source/mysql/decode/column_value.h"
#include "source/mysql/decode/table_map.h"

namespace weft::source::mysql {

// A rows event whose table id is this carries no rows (MySQL's "dummy" end-of-statement event).
inline constexpr uint64_t kDummyTableId = 0xFFFFFFFFFFFFull;

struct DecodedRow {
  change::RowImage before;  // UPDATE, DELETE
  change::RowImage after;   // WRITE, UPDATE
};

// WRITE/UPDATE/DELETE_ROWS (v1 types 23-25 and v2 types 30-32, MariaDB's compressed row events
// 166-171), `body` = the event bytes after the 19-byte common header, CRC32 already removed.
// Decodes every row against `map`; `schema` must be SchemaFromTableMap(map, ...) (same columns;
// its is_json flags select JSON rendering). Partial images (binlog_row_image=MINIMAL/NOBLOB):
// columns absent from an image are Null and marked not-present in RowImage::present (which stays
// empty when every column is present). Rows are appended to `rows`; on error `rows` may hold the
// rows decoded before the bad one and the Status names the table, row and column.
core::Status DecodeRowsEvent(uint8_t event_type, std::string_view body, const TableMap& map,
                             const change::TableSchema& schema, std::vector<DecodedRow>* rows);
// The same with the column codecs made once per table map (MakeColumnCodecs(map, schema)) instead
// of once per event. They point into `map`, which must not change while they are used.
core::Status DecodeRowsEvent(uint8_t event_type, std::string_view body, const TableMap& map,
                             const change::TableSchema& schema, const std::vector<ColumnCodec>& codecs,
                             std::vector<DecodedRow>* rows);
std::vector<ColumnCodec> MakeColumnCodecs(const TableMap& map, const change::TableSchema& schema);

// The table id of a rows event, without decoding rows (so the caller can look up the map).
core::Result<uint64_t> RowsEventTableId(uint8_t event_type, std::string_view body);

}  // namespace weft::source::mysql
