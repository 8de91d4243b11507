#pragma once
// PostgreSQL text output -> change::Value. The stream (pgoutput's 't' columns) and the snapshot
// (a text-mode SELECT) both come through here, so a row renders identically either way. Both
// connections run with the same session settings (sql/pg_connection.h: DateStyle ISO, TimeZone UTC,
// IntervalStyle iso_8601, extra_float_digits 3, bytea_output hex, lc_monetary C), which fix the text
// forms this file expects.
//
//   bool                    Bool                  int2/int4/int8       Int        oid   UInt
//   numeric                 Decimal (the server's digits, any precision); NaN/Infinity: String
//   real / double           Float / Double (shortest round trip; NaN, Infinity, -Infinity kept)
//   money                   Decimal ("-$1,234.56" -> -1234.56)
//   bytea                   Bytes ("\x0a0b" -> the bytes)
//   date                    Date "2024-11-10"            time  Time "10:20:00.123456"
//   timestamp               DateTime "2024-11-02 10:20:00.123"
//   timestamptz             DateTime in UTC (the "+00" the server prints is dropped)
//     dates/timestamps BC, beyond year 9999, or +/-infinity stay String (no calendar value fits)
//   json / jsonb            Json (the server's text; jsonb is already normalised by the server)
//   arrays                  Array of the element type's values (nested for more dimensions)
//   text, varchar, char (padded as stored), name, uuid, inet, cidr, macaddr, enums, timetz,
//   interval (ISO 8601, "P1Y2M3DT4H5M6S"), bit, xml, ranges, composites      String
//   domains                 as their base type
//
// Pure; any thread.

#include <cstddef>
#include <string_view>

#include "change/value.h"
#include "source/postgres/decode/pg_types.h"

namespace weft::source::postgres {

// `data` == nullptr is SQL NULL.
change::Value TextToValue(const TypeRegistry& types, const TypeInfo& type, const char* data, size_t length);

// One array literal ("{1,2,NULL}", "[0:1]={a,b}", "{{1,2},{3,4}}") with elements of `element`.
// A malformed literal comes back as the String of its text.
change::Value ArrayToValue(const TypeRegistry& types, const TypeInfo& element, char delimiter, std::string_view text);

}  // namespace weft::source::postgres
