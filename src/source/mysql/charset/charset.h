#pragma once
// Character sets of binlog string values: which character set a collation id belongs to, its
// longest character (to turn VARCHAR byte lengths into the declared character lengths), and the
// conversion of a value's bytes to the UTF-8 that weft's Values hold.
//
// Every character set MariaDB 10.11 can store is converted exactly as the server's own
// CONVERT(col USING utf8mb4) does, so that a streamed value equals the snapshot's (whose SELECT the
// server converts):
//   - utf8mb3/utf8mb4: copied as they are (no per-byte work);
//   - ucs2, utf16, utf16le, utf32: decoded here;
//   - the 25 single-byte sets (latin1 = MariaDB's cp1252 variant, latin2/5/7, cp1250/1251/1256/1257,
//     cp850/852/866, koi8r/u, greek, hebrew, armscii8, geostd8, keybcs2, dec8, hp8, macce, macroman,
//     swe7, tis620, ascii): a 256-entry table per set generated from the server (charset_sbcs.cpp);
//   - big5, cp932, sjis, euckr, gb2312, gbk, ujis, eucjpms: MariaDB's decoding rules with tables
//     built once from glibc iconv plus the server's differences (charset_mbcs.cpp).
// What the server cannot map becomes '?', as the server prints it: one '?' for a well-formed
// character without a Unicode mapping, one per byte that starts no well-formed character (and for
// a character cut off by the end). weft matches that rather than dead-lettering the row: the
// snapshot already holds the server's '?', and a streamed value must equal it.
// binary, an unknown collation id, and MySQL 8's gb18030 (not in MariaDB) are passed through as
// their raw bytes; a sink that needs UTF-8 then dead-letters the document ("not valid UTF-8").
//
// Threads: everything is callable from any thread. A multi-byte set's table is built on the first
// ConversionFor naming it (std::call_once; the iconv descriptor lives only while it is built) and
// is read-only afterwards.

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
enum class Utf8Conversion : uint8_t {
  kCopy,         // utf8mb3, utf8mb4
  kPassThrough,  // binary, unknown, or a set weft cannot convert: the raw bytes
  kUcs2, kUtf16, kUtf16Le, kUtf32,
  kMultiByte = 16,   // + MultiByteSet (charset_tables.h): big5, cp932, eucjpms, euckr, gb2312, gbk, sjis, ujis
  kSingleByte = 32,  // + index of the set's table in charset_sbcs.cpp (latin1, cp1251, koi8r, ...)
};
Utf8Conversion ConversionFor(uint32_t collation_id);
// The same, by character set name ("cp1251"); kPassThrough for a name weft does not convert.
Utf8Conversion ConversionForCharset(const char* charset);

// Appends `bytes` (a value in the character set of `collation_id`) to `out` as UTF-8. Returns
// false when the character set is not one of those converted (then the raw bytes were appended).
bool AppendAsUtf8(uint32_t collation_id, std::string_view bytes, std::string* out);
void AppendAsUtf8(Utf8Conversion conversion, std::string_view bytes, std::string* out);

}  // namespace weft::source::mysql
