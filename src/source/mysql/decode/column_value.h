#pragma once
// One column value of a row image: bytes in the binlog's per-type format -> change::Value, rendered
// exactly as `SELECT` prints it with time_zone '+00:00' (see change/value.h). The row decoder calls
// DecodeColumnValue once per present, non-NULL column; everything a column needs is gathered once
// per event into a ColumnCodec so the per-value work is a switch and a few reads.
//
// Mapping: integers -> Int/UInt (by the map's signedness), YEAR -> Int, BIT -> UInt, NEWDECIMAL ->
// Decimal (exact digits), FLOAT/DOUBLE -> Float/Double, DATE/DATETIME/TIMESTAMP/TIME (old and
// fractional "2" formats) -> Date/DateTime/Time text, character columns -> String in UTF-8
// (charset.h), binary ones -> Bytes (BINARY(n) re-padded with NUL to n bytes, as SELECT returns it;
// the server strips the padding in the binlog), ENUM/SET -> String of the name(s), JSON -> Json
// text (MariaDB: the column's text when the schema marks it JSON; MySQL: binary JSON converted by
// json_binary.h), GEOMETRY -> Bytes of WKB (the 4-byte SRID prefix removed), MySQL 9 VECTOR -> an
// Array of Float.
//
// Without binlog_row_metadata=FULL (no charsets, no ENUM/SET strings): CHAR/VARCHAR/TEXT decode as
// String of their raw bytes, BLOB-family columns as Bytes, ENUM/SET as the UInt index / bitmask.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "change/table_schema.h"
#include "change/value.h"
#include "core/status.h"
#include "source/mysql/binlog/byte_reader.h"
#include "source/mysql/charset/charset.h"
#include "source/mysql/decode/table_map.h"

namespace weft::source::mysql {

struct ColumnCodec {
  uint8_t type = 0;       // as in the map
  uint8_t real_type = 0;  // ENUM/SET/CHAR resolved (column_types.h RealType)
  uint16_t meta = 0;
  bool is_unsigned = false;
  bool is_json = false;
  bool has_charset = false;  // the map carried a collation for this column
  bool binary = false;       // collation 63
  uint32_t collation = 0;
  Utf8Conversion conversion = Utf8Conversion::kCopy;  // from `collation`, resolved once
  const std::vector<std::string>* names = nullptr;  // ENUM/SET strings (nullptr when not sent)
};

// Everything DecodeColumnValue needs for column `i`.
ColumnCodec MakeColumnCodec(const TableMap& map, const change::TableSchema& schema, size_t i);

// Decodes one value at the reader's position and advances past it. Corruption (message without
// the column name: the caller adds it) when the bytes are cut short or impossible for the type;
// InvalidArgument for a type weft does not decode (the pre-5.0 DECIMAL).
core::Status DecodeColumnValue(const ColumnCodec& codec, ByteReader* r, change::Value* out);

// NEWDECIMAL's binary format (precision <= 65) -> the digits SELECT prints: "-12.50", "0.00".
// False when the bytes are cut short or not a valid encoding.
bool DecodeDecimal(int precision, int scale, ByteReader* r, std::string* out);

// Temporal formats; each appends the SELECT text and returns false on short/impossible input.
bool DecodeDate(ByteReader* r, std::string* out);                  // 3 bytes
bool DecodeDateTime2(int fsp, ByteReader* r, std::string* out);    // 5 bytes + fraction
bool DecodeTimestamp2(int fsp, ByteReader* r, std::string* out);   // 4 bytes + fraction, UTC
bool DecodeTime2(int fsp, ByteReader* r, std::string* out);        // 3 bytes + fraction, signed
bool DecodeOldDateTime(ByteReader* r, std::string* out);           // 8 bytes YYYYMMDDhhmmss
bool DecodeOldTimestamp(ByteReader* r, std::string* out);          // 4 bytes seconds
bool DecodeOldTime(ByteReader* r, std::string* out);               // 3 bytes signed HHMMSS
// Seconds since the epoch -> "YYYY-MM-DD hh:mm:ss" in UTC (shared with the JSON decoder).
void AppendUtcDateTime(int64_t seconds, std::string* out);
// Appends ".ffffff" cut to `fsp` digits (nothing when fsp is 0).
void AppendFraction(uint32_t micros, int fsp, std::string* out);

}  // namespace weft::source::mysql
