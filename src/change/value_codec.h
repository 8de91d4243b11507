#pragma once
// A compact, lossless binary encoding of Value (every kind, nested arrays/objects), used wherever a
// value is stored and read back by weft itself: state replica rows, the outbox. JSON would lose the
// kind (a DATE and a string look alike; a DECIMAL and a DOUBLE too), which the MongoDB sink needs.
// Format: one kind byte, then the payload (varint lengths, little-endian fixed-width numbers).

#include <string>
#include <string_view>

#include "change/value.h"

namespace weft::change {

void EncodeValue(const Value& value, std::string* out);
std::string EncodeValue(const Value& value);
// Returns false on malformed input (never reads past `bytes`). On success *consumed (when given)
// is the number of bytes used.
bool DecodeValue(std::string_view bytes, Value* out, size_t* consumed = nullptr);

}  // namespace weft::change
