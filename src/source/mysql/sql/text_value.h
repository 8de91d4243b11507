#pragma once
// Text-protocol values (what a plain SELECT returns) as change::Value, so that a snapshot record
// renders exactly like the binlog-decoded record of the same row. The snapshot reader and
// `weft verify` both use it.
//
// The mapping, by the column's information_schema COLUMN_TYPE (ColumnSchema::type):
//   tinyint..bigint      Int, or UInt when "unsigned"      decimal         Decimal (the server's digits)
//   float                Float   (selected as CAST(c AS DOUBLE): the text form of FLOAT keeps only 6
//                                 digits, the widened double is exact)
//   double               Double  (the server prints the shortest round-trip form)
//   date                 Date     datetime, timestamp  DateTime (UTC: the session time zone is +00:00)
//   time                 Time     year                 Int
//   bit                  UInt    (the text protocol sends the bits as big-endian bytes)
//   binary, varbinary, *blob                          Bytes
//   char, varchar, *text, enum, set                   String
//   JSON (ColumnSchema::is_json)                      Json
//   geometry and its subtypes                         Bytes holding WKB without the SRID (selected
//                                                     as ST_AsBinary(c))
// Anything else (MariaDB's INET6, UUID, ...) is read as String.

#include <cstddef>
#include <string>

#include "change/table_schema.h"
#include "change/value.h"

namespace weft::source::mysql {

enum class TextKind : uint8_t {
  kInt, kUInt, kDecimal, kFloat, kDouble, kDate, kDateTime, kTime, kYear, kBit, kBytes, kString, kJson, kGeometry,
  // YEAR(2) (MariaDB; MySQL 5.7.5+ has none): SELECT prints "84", the binlog holds 1984. Read as the
  // full year the binlog gives (70-99 -> 19xx, 00-69 -> 20xx), so both paths agree.
  kYear2,
};

// The kind of a column, from its COLUMN_TYPE and is_json.
TextKind ClassifyColumn(const change::ColumnSchema& column);

// The expression to SELECT for the column so that TextToValue gets the form it expects:
// `name`, CAST(`name` AS DOUBLE) for FLOAT, ST_AsBinary(`name`) for geometry.
std::string SelectExpression(const change::ColumnSchema& column);

// `data` == nullptr is SQL NULL. `data` is the row's field as returned by mysql_fetch_row for the
// SelectExpression of the column.
change::Value TextToValue(TextKind kind, const char* data, size_t length);

}  // namespace weft::source::mysql
