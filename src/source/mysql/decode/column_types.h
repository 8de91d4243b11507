#pragma once
// Column type codes as they appear in TABLE_MAP events (the server's enum_field_types), spelled
// here so the decoders do not depend on a client library's header, plus the small facts about them
// that the table map and row decoders share.

#include <cstdint>

namespace weft::source::mysql {

namespace type {
inline constexpr uint8_t kDecimal = 0;  // pre-5.0 DECIMAL (ASCII digits); never written by 5.0+
inline constexpr uint8_t kTiny = 1;
inline constexpr uint8_t kShort = 2;
inline constexpr uint8_t kLong = 3;
inline constexpr uint8_t kFloat = 4;
inline constexpr uint8_t kDouble = 5;
inline constexpr uint8_t kNull = 6;
inline constexpr uint8_t kTimestamp = 7;   // old format: 4-byte seconds
inline constexpr uint8_t kLongLong = 8;
inline constexpr uint8_t kInt24 = 9;
inline constexpr uint8_t kDate = 10;       // 3 bytes: day | month << 5 | year << 9
inline constexpr uint8_t kTime = 11;       // old format: 3-byte signed HHMMSS
inline constexpr uint8_t kDateTime = 12;   // old format: 8-byte YYYYMMDDhhmmss
inline constexpr uint8_t kYear = 13;
inline constexpr uint8_t kNewDate = 14;    // internal only
inline constexpr uint8_t kVarchar = 15;
inline constexpr uint8_t kBit = 16;
inline constexpr uint8_t kTimestamp2 = 17;
inline constexpr uint8_t kDateTime2 = 18;
inline constexpr uint8_t kTime2 = 19;
inline constexpr uint8_t kTypedArray = 20;  // MySQL 8 internal; never in row events
inline constexpr uint8_t kVector = 242;     // MySQL 9
inline constexpr uint8_t kJson = 245;       // MySQL 5.7+ binary JSON; MariaDB logs JSON as BLOB
inline constexpr uint8_t kNewDecimal = 246;
inline constexpr uint8_t kEnum = 247;       // appears as the real type inside kString metadata
inline constexpr uint8_t kSet = 248;        // idem
inline constexpr uint8_t kTinyBlob = 249;   // idem for the BLOB family: the map says kBlob
inline constexpr uint8_t kMediumBlob = 250;
inline constexpr uint8_t kLongBlob = 251;
inline constexpr uint8_t kBlob = 252;
inline constexpr uint8_t kVarString = 253;
inline constexpr uint8_t kString = 254;
inline constexpr uint8_t kGeometry = 255;
}  // namespace type

// Collation id 63: the "binary" character set (BINARY, VARBINARY, BLOB, GEOMETRY).
inline constexpr uint32_t kBinaryCollation = 63;

// For kString/kVarString the table-map metadata packs the real type (CHAR, ENUM, SET) and the
// field length in bytes: byte 0 is the real type with bits 4-5 XOR-ed with bits 8-9 of the length
// (lengths above 255, e.g. CHAR(255) in utf8mb4 = 1020 bytes), byte 1 the low 8 bits of the length.
// `meta` holds byte 0 in its high half and byte 1 in its low half (as libmysqlclient does).
struct StringMeta {
  uint8_t real_type;
  uint32_t length;  // bytes; for ENUM/SET the pack length (1-2 / 1-4 or 8)
};
inline StringMeta DecodeStringMeta(uint16_t meta) {
  uint8_t b0 = static_cast<uint8_t>(meta >> 8), b1 = static_cast<uint8_t>(meta & 0xff);
  if ((b0 & 0x30) != 0x30) {
    return {static_cast<uint8_t>(b0 | 0x30), static_cast<uint32_t>(b1 | (((b0 & 0x30) ^ 0x30) << 4))};
  }
  return {b0, b1};
}

// The type a column really has: ENUM/SET (and CHAR) hide behind kString in the map.
inline uint8_t RealType(uint8_t map_type, uint16_t meta) {
  if (map_type == type::kString || map_type == type::kVarString) {
    uint8_t real = DecodeStringMeta(meta).real_type;
    if (real == type::kEnum || real == type::kSet) return real;
    return type::kString;
  }
  return map_type;
}

// Which server wrote the binlog: the few places where MariaDB and MySQL encode the same thing
// differently depend on it (the FORMAT_DESCRIPTION_EVENT's server version tells them apart).
enum class ServerFlavor : uint8_t { kMariaDB, kMySQL };

// Columns that own a bit in the optional SIGNEDNESS metadata. MySQL: the integer, DECIMAL, FLOAT
// and DOUBLE types (is_numeric_type). MariaDB also gives YEAR a bit (its Field_year is a
// Field_tiny; recorded fixtures show the shift, and MariaDB's own mariadb-binlog gets the columns
// after a YEAR wrong for it). BIT and the temporal types carry no bit on either.
inline bool IsNumericType(uint8_t real_type, ServerFlavor flavor) {
  switch (real_type) {
    case type::kTiny: case type::kShort: case type::kInt24: case type::kLong: case type::kLongLong:
    case type::kNewDecimal: case type::kDecimal: case type::kFloat: case type::kDouble:
      return true;
    case type::kYear:
      return flavor == ServerFlavor::kMariaDB;
    default:
      return false;
  }
}

// Columns that own an entry in the DEFAULT_CHARSET / COLUMN_CHARSET metadata: CHAR, VARCHAR and
// the BLOB/TEXT family, binary ones included (collation 63). MariaDB adds GEOMETRY (a Field_blob
// underneath; recorded fixtures show its 63 entry), MySQL 9 adds VECTOR. ENUM/SET have their own
// ENUM_AND_SET_* fields; MySQL's JSON has none.
inline bool IsCharacterType(uint8_t real_type, ServerFlavor flavor) {
  switch (real_type) {
    case type::kString: case type::kVarString: case type::kVarchar: case type::kBlob:
    case type::kTinyBlob: case type::kMediumBlob: case type::kLongBlob:
      return true;
    case type::kGeometry:
      return flavor == ServerFlavor::kMariaDB;
    case type::kVector:
      return flavor == ServerFlavor::kMySQL;
    default:
      return false;
  }
}

inline bool IsEnumOrSet(uint8_t real_type) { return real_type == type::kEnum || real_type == type::kSet; }

}  // namespace weft::source::mysql
