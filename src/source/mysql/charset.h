#pragma once
// Character sets of binlog string values: which character set a collation id belongs to, its
// longest character (to turn VARCHAR byte lengths into the declared character lengths), and the
// conversion of a value's bytes to the UTF-8 that weft's Values hold.
//
// Converted: utf8mb3/utf8mb4/ascii (already UTF-8), latin1 (MySQL's latin1 is Windows-1252 with
// the five undefined bytes mapped to C1 controls, exactly as the server converts it), ucs2, utf16,
// utf16le and utf32. Any other character set (cp1250, sjis, gbk, ...) is passed through as its raw
// bytes: a JSON rendering then shows U+FFFD for bytes that are not UTF-8. Issue 2 names only
// "utf8mb4 included"; add a table here when a source needs another one.

#include <cstdint>
#include <string>
#include <string_view>

namespace weft::source::mysql {

struct CharsetInfo {
  const char* name;  // "utf8mb4", "latin1", "binary", ...
  uint8_t mbmaxlen;  // bytes of the longest character
};

// nullptr for an id no known server uses.
const CharsetInfo* CharsetOfCollation(uint32_t collation_id);

// How a character set's bytes become UTF-8; resolve once per column, convert per value.
enum class Utf8Conversion : uint8_t { kCopy, kLatin1, kUcs2, kUtf16, kUtf16Le, kUtf32, kPassThrough };
// kCopy for utf8mb3/utf8mb4/ascii, kPassThrough for a character set weft does not convert.
Utf8Conversion ConversionFor(uint32_t collation_id);

// Appends `bytes` (a value in the character set of `collation_id`) to `out` as UTF-8. Returns
// false when the character set is not one of those converted (then the raw bytes were appended).
bool AppendAsUtf8(uint32_t collation_id, std::string_view bytes, std::string* out);
void AppendAsUtf8(Utf8Conversion conversion, std::string_view bytes, std::string* out);

}  // namespace weft::source::mysql
