#pragma once
// A compact, lossless binary encoding of Value (every kind, nested arrays/objects), used wherever a
// value is stored and read back by weft itself: state replica rows, the outbox. JSON would lose the
// kind (a DATE and a string look alike; a DECIMAL and a DOUBLE too), which the MongoDB sink needs.
// Format: one kind byte, then the payload (varint lengths, little-endian fixed-width numbers).

#include <string>
#include <string_view>
#include <vector>

#include "change/value.h"

namespace weft::change {

void EncodeValue(const Value& value, std::string* out);
std::string EncodeValue(const Value& value);
// Returns false on malformed input (never reads past `bytes`). On success *consumed (when given)
// is the number of bytes used.
bool DecodeValue(std::string_view bytes, Value* out, size_t* consumed = nullptr);

// A row without its column names: an object's values by position in `columns`, a list the caller
// keeps once for many rows (state/replica_store.h keeps one per replica). Format: kRowTag (no kind
// byte has its value, so EncodeValue's bytes and a row's never look alike), a varint slot count n
// <= columns.size(), then per slot kAbsentSlot (the object has no such field) or the value as
// EncodeValue writes it, except that a kInt/kUInt of the row itself is a (zigzag) varint: keys and
// counts are mostly small. The slots past n are absent, so a row stays readable after names are
// appended to `columns`.
inline constexpr char kRowTag = '\x40';
// Returns false, with *out unchanged, when `object` is not a kObject whose field names are, in
// order, a subsequence of `columns` (each at most once). Appends to *out.
bool EncodeRow(const Value& object, const std::vector<std::string>& columns, std::string* out);
// Decodes a row EncodeRow made with (a prefix of) `columns`; false on malformed input.
bool DecodeRow(std::string_view bytes, const std::vector<std::string>& columns, Value* out);
inline bool IsRow(std::string_view bytes) { return !bytes.empty() && bytes[0] == kRowTag; }

}  // namespace weft::change
