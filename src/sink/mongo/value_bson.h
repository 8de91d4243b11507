#pragma once
// Value <-> BSON for the MongoDB sink. The mapping (issue #3 "MongoDB receives ..."):
//   kNull -> null                kBool -> bool
//   kInt  -> int32 when it fits, else int64
//   kUInt -> int64 up to INT64_MAX, else Decimal128 (exact)
//   kFloat/kDouble -> double. A FLOAT goes through its shortest decimal text ("0.1"), the value
//                  the server shows, not the float's binary expansion (0.10000000149011612).
//   kDecimal -> Decimal128 with the column's digits and scale ("199.90" stays 199.90). Decimal128
//                  holds 34 significant digits: a longer value first drops just enough trailing zeros (the
//                  number is unchanged, only its scale shrinks); if it still has more than 34 digits
//                  it is stored as a STRING of its exact digits and counted in
//                  ConversionNotes::decimals_as_text. It is never rounded.
//   kDate/kDateTime -> BSON date (UTC ms since the epoch). Microseconds are TRUNCATED to
//                  milliseconds (BSON dates hold ms). The zero date ("0000-00-00[ 00:00:00]") -> null.
//                  A date MySQL accepts but the calendar does not (month or day 0, Feb 30 under
//                  ALLOW_INVALID_DATES) -> a string of its text.
//   kTime -> string ("-838:59:59.000000")   kString -> string (invalid UTF-8 is an error)
//   kBytes -> binary subtype 0
//   kJson -> the parsed JSON: object -> embedded document, array -> array, string, bool, null;
//                  integers -> int64 (above INT64_MAX: Decimal128), other numbers -> double.
//                  Field order is kept. JSON that does not parse is an error.
//   kArray/kObject -> array/embedded document, recursively.
// Inside `_id` (the whole _id, also each field of a composite key) temporal values are stored as
// their exact text instead: two DATETIME(6) keys a microsecond apart must stay two documents, and
// the key must read back exactly.
//
// Errors are InvalidArgument naming the field path ("customer_info.name: string is not valid
// UTF-8"); the sink rejects that document. Pure functions, any thread.

#include <bson/bson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "change/value.h"
#include "core/status.h"

namespace weft::sink::mongo {

struct ConversionNotes {
  int64_t decimals_as_text = 0;  // DECIMAL values too long for Decimal128, stored as strings
};

// Appends `doc` (a kObject) to the empty `out`: "_id" first (by the _id rules), then every other
// field in order. `notes` may be null.
core::Status DocumentToBson(const change::Value& doc, bson_t* out, ConversionNotes* notes);

// Appends `id` under "_id" to `out` by the _id rules: the filter {_id: ...} of a write.
core::Status AppendId(const change::Value& id, bson_t* out);

// Appends one value under `key` (not the _id rules). Exposed for the tests.
core::Status AppendValue(bson_t* out, std::string_view key, const change::Value& value, ConversionNotes* notes);

// BSON back to a Value, for Scan's `id`: int32/int64 -> kInt, double -> kDouble, Decimal128 ->
// kDecimal in plain notation with its scale ("0.0000001000", never "1.000E-7"; NaN/Infinity ->
// kString), string -> kString, binary -> kBytes, bool, null, date -> kDateTime
// "YYYY-MM-DD HH:MM:SS.mmm" (UTC), document/array -> kObject/kArray, ObjectId -> kString (hex),
// anything else -> kJson holding its canonical extended JSON. Converting the result back with
// AppendId gives a value MongoDB compares equal to the original.
change::Value BsonToValue(const bson_iter_t* iter);

// "1.000E-7" -> "0.0000001000": libbson's Decimal128 text in plain notation, scale kept.
std::string DecimalPlainText(const bson_decimal128_t& dec);

}  // namespace weft::sink::mongo
