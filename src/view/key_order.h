#pragma once
// The two value rules every view join depends on, in one place (the engine stores and probes with
// them, and `weft verify` reuses them for its independent join):
//   - Join equality is EXACT value equality, not the server's collation ('a' != 'A'), and NULL
//     matches nothing. INT 5, BIGINT UNSIGNED 5 and DECIMAL 5.00 are the same number; a string
//     '5' is not the number 5; FLOAT/DOUBLE compare by their JSON rendering; temporals by text.
//   - Primary-key order (array elements, the "smallest" row of an object lookup, snapshot order):
//     column by column; NULL first, then booleans, numbers (numerically), strings and bytes (by
//     bytes), dates/times (by text), anything else (by JSON text).
// OrderedKey() is a byte encoding of a key tuple whose memcmp order is exactly CompareKeys() order
// (and equal bytes exactly when CompareKeys() == 0), so SQLite's "ORDER BY pk" over a BLOB is the
// primary-key order and the encoding is the row's canonical identity.
// Pure functions, any thread.

#include <optional>
#include <string>
#include <vector>

#include "change/value.h"

namespace weft::view {

// The canonical join-key text of one value; nullopt for NULL (never matches).
std::optional<std::string> JoinKey(const change::Value& value);

// <0, 0, >0 like strcmp.
int CompareKeyValues(const change::Value& a, const change::Value& b);
int CompareKeys(const std::vector<change::Value>& a, const std::vector<change::Value>& b);

// Order-preserving, prefix-free encoding of one value / a tuple (concatenation of its values).
void AppendOrderedKey(const change::Value& value, std::string* out);
std::string OrderedKey(const std::vector<change::Value>& values);

// The DocumentWrite::id_key of an _id: a kString is its text, anything else its JSON rendering.
std::string IdKey(const change::Value& id);

}  // namespace weft::view
