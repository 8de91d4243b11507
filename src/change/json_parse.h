#pragma once
// Parses JSON text back into a Value, for readers of weft's own JSON rendering (the SQLite and JSONL
// sinks' Scan). JSON does not carry Value kinds, so the result is the closest exact reading:
//   string -> kString       integer -> kInt (kUInt above INT64_MAX)
//   any other number -> kDecimal holding the number's text exactly as written ("199.99", "1e+21",
//                       an integer too large for 64 bits), so rendering it again gives the same text
//   true/false -> kBool     null -> kNull      object/array -> kObject/kArray (field order kept)
// AppendJson(ParseJsonValue(ToJson(v))) == ToJson(v) for every v whose strings are valid UTF-8.
// Pure function, any thread.

#include <string_view>

#include "change/value.h"
#include "core/status.h"

namespace weft::change {

// The deepest nesting ParseJsonValue accepts, the same bound as DecodeValue's (value_codec.cpp), so
// whatever parses can be stored too. Deeper input is refused as hostile instead of recursing (when
// rendered or destroyed) until the stack overflows; documents are far shallower (lookup depth plus a
// JSON column's own depth, which MySQL caps at 100).
inline constexpr int kMaxJsonDepth = 200;

// Corruption (with the byte offset) when `text` is not one complete JSON value, or when it nests
// deeper than kMaxJsonDepth.
core::Result<Value> ParseJsonValue(std::string_view text);

}  // namespace weft::change
