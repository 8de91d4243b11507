#include "source/mysql/decode/json_binary.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "change/value.h"
#include "source/mysql/binlog/byte_reader.h"
#include "source/mysql/decode/column_types.h"
#include "source/mysql/decode/column_value.h"

namespace weft::source::mysql {
namespace {

// Value type bytes (json_binary.h).
enum : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUInt16 = 0x06,
  kInt32 = 0x07,
  kUInt32 = 0x08,
  kInt64 = 0x09,
  kUInt64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};
enum : uint8_t { kLiteralNull = 0, kLiteralTrue = 1, kLiteralFalse = 2 };
constexpr int kMaxDepth = 150;

core::Status Bad(const std::string& what) { return core::Corruption("binary JSON value: " + what); }

uint64_t LE(std::string_view b, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(b[pos + i])) << (8 * i);
  return v;
}

// Lengths of strings and opaque values: 7 bits per byte, low group first, high bit = more follows.
bool VariableLength(ByteReader* r, uint64_t* out) {
  uint64_t len = 0;
  for (int i = 0; i < 5; ++i) {
    uint8_t b = 0;
    if (!r->U8(&b)) return false;
    len |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *out = len;
      return len <= 0xFFFFFFFFu;
    }
  }
  return false;
}

void AppendJsonDouble(double d, std::string* out) {
  char buf[40];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, res.ptr);
  // MySQL writes exponents without '+' or leading zeros ("1e100", "1e-7") and marks integral
  // doubles with ".0" so they read back as doubles.
  size_t e = s.find('e');
  if (e != std::string::npos) {
    std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
    bool neg = !exponent.empty() && exponent[0] == '-';
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.erase(0, 1);
    exponent.erase(0, exponent.find_first_not_of('0') == std::string::npos ? exponent.size() - 1
                                                                            : exponent.find_first_not_of('0'));
    s = mantissa + "e" + (neg ? "-" : "") + exponent;
  } else if (std::isfinite(d) && s.find('.') == std::string::npos) {
    s += ".0";
  }
  out->append(s);
}

// MySQL's packed temporal longlong: (int part << 24) | microseconds, negated when negative; the int
// part is ((year * 13 + month) << 5 | day) << 17 | hour << 12 | minute << 6 | second.
core::Status AppendPackedTemporal(uint8_t field_type, int64_t packed, std::string* out) {
  bool negative = packed < 0;
  uint64_t mag = negative ? static_cast<uint64_t>(-(packed + 1)) + 1 : static_cast<uint64_t>(packed);
  uint64_t intpart = mag >> 24;
  uint32_t micros = static_cast<uint32_t>(mag & 0xFFFFFF);
  if (micros >= 1000000) return Bad("temporal fraction out of range");
  uint64_t ymd = intpart >> 17, hms = intpart & 0x1FFFF, ym = ymd >> 5;
  char buf[64];
  out->push_back('"');
  if (field_type == type::kTime) {
    uint64_t hour = (intpart >> 12) % (1 << 10);
    std::snprintf(buf, sizeof buf, "%s%02u:%02u:%02u", negative ? "-" : "", static_cast<unsigned>(hour),
                  static_cast<unsigned>((hms >> 6) & 63), static_cast<unsigned>(hms & 63));
    out->append(buf);
    AppendFraction(micros, 6, out);
  } else {
    if (ym / 13 > 9999) return Bad("temporal year out of range");
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", static_cast<unsigned>(ym / 13), static_cast<unsigned>(ym % 13),
                  static_cast<unsigned>(ymd & 31));
    out->append(buf);
    if (field_type != type::kDate && field_type != type::kNewDate) {
      std::snprintf(buf, sizeof buf, " %02u:%02u:%02u", static_cast<unsigned>(hms >> 12),
                    static_cast<unsigned>((hms >> 6) & 63), static_cast<unsigned>(hms & 63));
      out->append(buf);
      AppendFraction(micros, 6, out);
    }
  }
  out->push_back('"');
  return core::Status::Ok();
}

core::Status AppendOpaque(ByteReader* r, std::string* out) {
  uint8_t field_type = 0;
  uint64_t len = 0;
  std::string_view data;
  if (!r->U8(&field_type) || !VariableLength(r, &len) || !r->Bytes(len, &data)) return Bad("opaque value cut short");
  ByteReader d(data);
  if (field_type == type::kNewDecimal) {
    uint8_t precision = 0, scale = 0;
    std::string digits;
    if (!d.U8(&precision) || !d.U8(&scale) || !DecodeDecimal(precision, scale, &d, &digits)) {
      return Bad("opaque DECIMAL does not parse");
    }
    out->append(digits);
    return core::Status::Ok();
  }
  if (field_type == type::kDate || field_type == type::kTime || field_type == type::kDateTime ||
      field_type == type::kTimestamp || field_type == type::kDateTime2 || field_type == type::kTimestamp2 ||
      field_type == type::kTime2 || field_type == type::kNewDate) {
    uint64_t packed = 0;
    if (!d.LE(8, &packed)) return Bad("opaque temporal value cut short");
    uint8_t kind = field_type == type::kTime2 ? type::kTime : field_type == type::kNewDate ? type::kDate : field_type;
    return AppendPackedTemporal(kind, static_cast<int64_t>(packed), out);
  }
  out->append("\"base64:type" + std::to_string(field_type) + ":" + change::Base64Encode(data) + "\"");
  return core::Status::Ok();
}

core::Status AppendValue(uint8_t t, std::string_view doc, size_t pos, int depth, std::string* out);

// Objects and arrays. `doc` is the container's bytes (starting after its type byte).
core::Status AppendContainer(bool object, bool large, std::string_view doc, int depth, std::string* out) {
  if (depth > kMaxDepth) return Bad("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  size_t w = large ? 4 : 2;  // width of counts, sizes and offsets
  if (doc.size() < 2 * w) return Bad("container header cut short");
  uint64_t count = LE(doc, 0, w), size = LE(doc, w, w);
  if (size > doc.size()) return Bad("container claims more bytes than it has");
  doc = doc.substr(0, size);
  size_t key_entry = w + 2, value_entry = 1 + w;
  size_t header = 2 * w + count * ((object ? key_entry : 0) + value_entry);
  if (count > doc.size() || header > doc.size()) return Bad("container entries exceed its size");
  out->push_back(object ? '{' : '[');
  for (uint64_t i = 0; i < count; ++i) {
    if (i) out->append(", ");
    if (object) {
      size_t ke = 2 * w + i * key_entry;
      uint64_t key_offset = LE(doc, ke, w), key_len = LE(doc, ke + w, 2);
      if (key_offset > doc.size() || key_len > doc.size() - key_offset) return Bad("object key out of bounds");
      change::AppendJsonString(doc.substr(key_offset, key_len), out);
      out->append(": ");
    }
    size_t ve = 2 * w + count * (object ? key_entry : 0) + i * value_entry;
    uint8_t vt = static_cast<uint8_t>(doc[ve]);
    // Small scalars are inlined in the offset field: literals and 16-bit ints always, 32-bit ints
    // in large containers.
    bool inlined = vt == kLiteral || vt == kInt16 || vt == kUInt16 || (large && (vt == kInt32 || vt == kUInt32));
    if (inlined) {
      WEFT_RETURN_IF_ERROR(AppendValue(vt, doc.substr(ve + 1, w), 0, depth + 1, out));
    } else {
      uint64_t offset = LE(doc, ve + 1, w);
      if (offset < header || offset >= doc.size()) return Bad("value offset out of bounds");
      WEFT_RETURN_IF_ERROR(AppendValue(vt, doc, offset, depth + 1, out));
    }
  }
  out->push_back(object ? '}' : ']');
  return core::Status::Ok();
}

core::Status AppendValue(uint8_t t, std::string_view doc, size_t pos, int depth, std::string* out) {
  ByteReader r(doc.substr(pos));
  uint64_t v = 0;
  switch (t) {
    case kSmallObject: case kLargeObject: case kSmallArray: case kLargeArray:
      return AppendContainer(t == kSmallObject || t == kLargeObject, t == kLargeObject || t == kLargeArray,
                             doc.substr(pos), depth, out);
    case kLiteral: {
      uint8_t lit = 0;
      if (!r.U8(&lit)) return Bad("literal cut short");
      if (lit == kLiteralNull) out->append("null");
      else if (lit == kLiteralTrue) out->append("true");
      else if (lit == kLiteralFalse) out->append("false");
      else return Bad("unknown literal " + std::to_string(lit));
      return core::Status::Ok();
    }
    case kInt16: case kUInt16: case kInt32: case kUInt32: case kInt64: case kUInt64: {
      size_t n = t <= kUInt16 ? 2 : t <= kUInt32 ? 4 : 8;
      if (!r.LE(n, &v)) return Bad("integer cut short");
      bool is_signed = t == kInt16 || t == kInt32 || t == kInt64;
      unsigned shift = static_cast<unsigned>(64 - 8 * n);
      out->append(is_signed ? std::to_string(static_cast<int64_t>(v << shift) >> shift) : std::to_string(v));
      return core::Status::Ok();
    }
    case kDouble: {
      if (!r.LE(8, &v)) return Bad("double cut short");
      double d;
      std::memcpy(&d, &v, 8);
      AppendJsonDouble(d, out);
      return core::Status::Ok();
    }
    case kString: {
      std::string_view s;
      if (!VariableLength(&r, &v) || !r.Bytes(v, &s)) return Bad("string cut short");
      change::AppendJsonString(s, out);
      return core::Status::Ok();
    }
    case kOpaque:
      return AppendOpaque(&r, out);
    default:
      return Bad("unknown value type " + std::to_string(t));
  }
}

}  // namespace

core::Status MysqlJsonToText(std::string_view binary, std::string* out) {
  if (binary.empty()) {
    out->append("null");
    return core::Status::Ok();
  }
  return AppendValue(static_cast<uint8_t>(binary[0]), binary, 1, 0, out);
}

}  // namespace weft::source::mysql
