#pragma once
// Internal to charset*.cpp: the tables charset_gen.py generated from a live MariaDB 10.11
// (charset_sbcs.cpp, charset_mbcs_tables.cpp) and the multi-byte decoders (charset_mbcs.cpp).
// Everything here is immutable once built; see charset.h for the contract.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft::source::mysql {

// A single-byte character set: the code point of bytes 0x80-0xFF (0x00-0x7F are ASCII, except
// swe7's kSwe7Low positions). An unmapped byte holds 0x003F, the '?' the server converts it to.
struct SingleByteTable {
  const char* charset;
  uint16_t high[128];
};
extern const SingleByteTable kSingleByteTables[];
extern const size_t kSingleByteTableCount;
extern const uint16_t kSwe7Low[][2];  // {byte, code point}
extern const size_t kSwe7LowCount;

// `count` consecutive codes from `first` map to consecutive code points from `code_point`
// (code_point 0: all of them unmapped).
struct CodeRun {
  uint16_t first;
  uint16_t count;
  uint16_t code_point;
};
// Where the server differs from the iconv base of a multi-byte set: 2-byte codes (lead << 8 | trail)
// and the 0x8F-led 3-byte codes of ujis/eucjpms (byte 2 << 8 | byte 3).
struct MultiByteOverrides {
  const char* charset;
  const CodeRun* runs2;
  size_t runs2_count;
  const CodeRun* runs3;
  size_t runs3_count;
};
extern const MultiByteOverrides kMultiByteOverrides[];
extern const size_t kMultiByteOverridesCount;

enum class MultiByteSet : uint8_t { kBig5, kCp932, kEucjpms, kEuckr, kGb2312, kGbk, kSjis, kUjis };
constexpr size_t kMultiByteSetCount = 8;

// The set for a MariaDB character set name; false for a name that is not one of them.
bool MultiByteSetFor(const char* charset, MultiByteSet* out);
// Builds the set's table on first use (any thread; later calls only read it). False when iconv
// cannot provide the base conversion (then the set must not be decoded: its values stay raw).
bool PrepareMultiByteSet(MultiByteSet set);
// Appends `in` as UTF-8 exactly as MariaDB's CONVERT(... USING utf8mb4) would; the set must have
// been prepared.
void MultiByteToUtf8(MultiByteSet set, std::string_view in, std::string* out);

void AppendCodePoint(uint32_t cp, std::string* out);  // charset.cpp; U+FFFD for a non-scalar value

}  // namespace weft::source::mysql
