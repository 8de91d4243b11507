#pragma once
// TABLE_MAP_EVENT: the column types, metadata and (with binlog_row_metadata=FULL) names,
// signedness, character sets, ENUM/SET strings and primary key of the table the following rows
// events belong to. Decoded once per table map; rows are decoded against it (row_decoder.h).
//
// Layout (MySQL's rows_event.h and MariaDB's log_event.h agree):
//   post-header: table_id (6 bytes LE, see binlog_event.h on the assumed length), flags (2)
//   body: db len(1) db NUL, table len(1) table NUL, column count (packed int), types[count],
//         metadata length (packed int), metadata, nullable bitmap, optional metadata (TLV) to the end.
//
// Pure functions; any thread. Hostile input yields kCorruption, never a read out of bounds.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "change/table_schema.h"
#include "core/status.h"
#include "source/mysql/decode/column_types.h"

namespace weft::source::mysql {

// Parsed TABLE_MAP_EVENT (MariaDB 10.5+/MySQL 8 with binlog_row_metadata=FULL gives the optional
// metadata).
struct TableMap {
  uint64_t table_id = 0;
  std::string db, table;
  // MYSQL_TYPE_* per column as the event has it: CHAR, ENUM and SET all say kString (254) and the
  // real type is in `meta` (RealType() in column_types.h); every BLOB/TEXT size says kBlob (252).
  std::vector<uint8_t> types;
  // Per-column metadata, normalised to one uint16:
  //   kString/kVarString/ENUM/SET: byte0 << 8 | byte1 (DecodeStringMeta())   kVarchar: max bytes
  //   kBlob/kGeometry/kJson: length-prefix bytes (1-4)  kFloat/kDouble: 4/8
  //   kNewDecimal: precision << 8 | scale  kBit: bytes << 8 | extra bits  *2 temporals: fsp 0-6
  std::vector<uint16_t> meta;
  std::vector<bool> nullable;
  // Optional metadata (empty when the server did not send it):
  std::vector<bool> is_unsigned;  // per column (the event carries bits for numeric columns only)
  std::vector<std::string> names;
  std::vector<uint32_t> charsets;  // per column collation id (0 when not a character column)
  std::vector<std::vector<std::string>> enum_values, set_values;  // per column (empty for others)
  std::vector<int> primary_key;    // column indexes
  std::vector<uint32_t> geometry_types;  // per column (0 = GEOMETRY, 1 = POINT ... 7)
  std::vector<bool> visible;       // MySQL 8.0.23+ COLUMN_VISIBILITY; empty when not sent

  size_t column_count() const { return types.size(); }
};

// `body` = the event bytes AFTER the 19-byte common header, with the 4-byte CRC32 checksum already
// removed. `flavor` matters for two details of the optional metadata (MariaDB gives YEAR columns a
// SIGNEDNESS bit and GEOMETRY columns a charset entry, MySQL does neither): pass ServerFlavor::kMySQL for a MySQL server (FormatDescription::is_mariadb()
// is false). The one-argument form decodes MariaDB's encoding.
core::Result<TableMap> DecodeTableMap(std::string_view body, ServerFlavor flavor);
core::Result<TableMap> DecodeTableMap(std::string_view body);

// Builds the schema rows are rendered with: column names (from the map; "@1", "@2"... when
// absent), COLUMN_TYPE-like type text (MariaDB spelling: "int(11)", "int(10) unsigned",
// "varchar(20)", "decimal(65,30)", "enum('a','b')", "datetime(6)", "longtext"; integer display
// widths are the defaults since the binlog does not carry them), nullability, primary key.
// json_columns marks columns that are JSON in the source (MariaDB JSON is LONGTEXT+CHECK
// json_valid, invisible in the binlog: the caller learns it from information_schema); MySQL's
// binary JSON columns (kJson) are marked whatever the list says.
change::TableSchemaPtr SchemaFromTableMap(const TableMap& map, const std::vector<std::string>& json_columns);

// The COLUMN_TYPE-like text of column `i` (as used by SchemaFromTableMap).
std::string ColumnTypeText(const TableMap& map, size_t i);

}  // namespace weft::source::mysql
