#include "source/mysql/decode/column_value.h"

#include <cstring>

#include "source/mysql/charset/charset.h"
#include "source/mysql/decode/column_types.h"
#include "source/mysql/decode/json_binary.h"

namespace weft::source::mysql {
namespace {

using change::Value;

core::Status Short(const char* what) { return core::Corruption(std::string(what) + " value is cut short or invalid"); }

// Length-prefixed bytes: a `prefix`-byte little-endian length, then that many bytes.
bool ReadPrefixed(ByteReader* r, size_t prefix, std::string_view* out) {
  uint64_t len = 0;
  return r->LE(prefix, &len) && r->Bytes(len, out);
}

Value Integer(ByteReader* r, size_t bytes, bool is_unsigned, bool* ok) {
  uint64_t v = 0;
  *ok = r->LE(bytes, &v);
  if (is_unsigned) return Value::UInt(v);
  unsigned shift = static_cast<unsigned>(64 - 8 * bytes);
  return Value::Int(static_cast<int64_t>(v << shift) >> shift);  // sign-extend
}

// Character data into `out` as a String (Json when the schema marks the column JSON), written in
// place: no string of its own first.
void Text(const ColumnCodec& c, std::string_view bytes, Value* out) {
  std::string& utf8 = out->ResetText(c.is_json ? change::ValueKind::kJson : change::ValueKind::kString);
  if (c.conversion == Utf8Conversion::kCopy || c.conversion == Utf8Conversion::kPassThrough) {
    utf8.assign(bytes);
  } else {
    AppendAsUtf8(c.conversion, bytes, &utf8);
  }
}

void Bytes(std::string_view bytes, Value* out) { out->ResetText(change::ValueKind::kBytes).assign(bytes); }

core::Status EnumOrSet(const ColumnCodec& c, size_t bytes, ByteReader* r, Value* out) {
  uint64_t v = 0;
  if (bytes < 1 || bytes > 8 || !r->LE(bytes, &v)) return Short(c.real_type == type::kEnum ? "ENUM" : "SET");
  if (!c.names) {  // no binlog_row_metadata=FULL: the index / bitmask is all there is
    *out = Value::UInt(v);
    return core::Status::Ok();
  }
  const auto& names = *c.names;
  if (c.real_type == type::kEnum) {
    if (v == 0) {  // the "" error value the server stores for an invalid ENUM
      out->ResetText(change::ValueKind::kString);
    } else if (v > names.size()) {
      return core::Corruption("ENUM index " + std::to_string(v) + " beyond its " + std::to_string(names.size()) + " values");
    } else {
      out->ResetText(change::ValueKind::kString).assign(names[v - 1]);
    }
    return core::Status::Ok();
  }
  std::string& joined = out->ResetText(change::ValueKind::kString);
  for (size_t bit = 0; bit < 64; ++bit) {
    if (!((v >> bit) & 1)) continue;
    if (bit >= names.size()) return core::Corruption("SET bit " + std::to_string(bit) + " beyond its values");
    if (!joined.empty()) joined.push_back(',');
    joined.append(names[bit]);
  }
  return core::Status::Ok();
}

}  // namespace

ColumnCodec MakeColumnCodec(const TableMap& map, const change::TableSchema& schema, size_t i) {
  ColumnCodec c;
  c.type = map.types[i];
  c.meta = map.meta[i];
  c.real_type = RealType(c.type, c.meta);
  c.is_unsigned = i < map.is_unsigned.size() && map.is_unsigned[i];
  c.is_json = c.type == type::kJson || (i < schema.columns.size() && schema.columns[i].is_json);
  if (i < map.charsets.size() && map.charsets[i] != 0) {
    c.has_charset = true;
    c.collation = map.charsets[i];
    c.binary = c.collation == kBinaryCollation;
    c.conversion = ConversionFor(c.collation);
  }
  if (c.real_type == type::kEnum && i < map.enum_values.size() && !map.enum_values[i].empty()) {
    c.names = &map.enum_values[i];
  } else if (c.real_type == type::kSet && i < map.set_values.size() && !map.set_values[i].empty()) {
    c.names = &map.set_values[i];
  }
  return c;
}

core::Status DecodeColumnValue(const ColumnCodec& c, ByteReader* r, Value* out) {
  using change::ValueKind;
  bool ok = true;
  std::string_view bytes;
  switch (c.real_type) {
    case type::kTiny: *out = Integer(r, 1, c.is_unsigned, &ok); return ok ? core::Status::Ok() : Short("TINYINT");
    case type::kShort: *out = Integer(r, 2, c.is_unsigned, &ok); return ok ? core::Status::Ok() : Short("SMALLINT");
    case type::kInt24: *out = Integer(r, 3, c.is_unsigned, &ok); return ok ? core::Status::Ok() : Short("MEDIUMINT");
    case type::kLong: *out = Integer(r, 4, c.is_unsigned, &ok); return ok ? core::Status::Ok() : Short("INT");
    case type::kLongLong: *out = Integer(r, 8, c.is_unsigned, &ok); return ok ? core::Status::Ok() : Short("BIGINT");
    case type::kYear: {
      uint8_t y = 0;
      if (!r->U8(&y)) return Short("YEAR");
      *out = Value::Int(y == 0 ? 0 : 1900 + y);
      return core::Status::Ok();
    }
    case type::kBit: {
      size_t n = (c.meta >> 8) + ((c.meta & 0xff) ? 1 : 0);
      uint64_t v = 0;
      if (n > 8 || !r->BE(n, &v)) return Short("BIT");
      *out = Value::UInt(v);
      return core::Status::Ok();
    }
    case type::kFloat: case type::kDouble: {
      size_t n = c.real_type == type::kFloat ? 4 : 8;
      if (c.meta != 0 && c.meta != n) return core::Corruption("FLOAT/DOUBLE with pack length " + std::to_string(c.meta));
      uint64_t v = 0;
      if (!r->LE(n, &v)) return Short(n == 4 ? "FLOAT" : "DOUBLE");
      if (n == 4) {
        uint32_t bits = static_cast<uint32_t>(v);
        float f;
        std::memcpy(&f, &bits, 4);
        *out = Value::Float(f);
      } else {
        double d;
        std::memcpy(&d, &v, 8);
        *out = Value::Double(d);
      }
      return core::Status::Ok();
    }
    case type::kNewDecimal:
      if (!DecodeDecimal(c.meta >> 8, c.meta & 0xff, r, &out->ResetText(ValueKind::kDecimal))) return Short("DECIMAL");
      return core::Status::Ok();
    case type::kDate: case type::kNewDate:
      if (!DecodeDate(r, &out->ResetText(ValueKind::kDate))) return Short("DATE");
      return core::Status::Ok();
    case type::kDateTime2:
      if (!DecodeDateTime2(c.meta, r, &out->ResetText(ValueKind::kDateTime))) return Short("DATETIME");
      return core::Status::Ok();
    case type::kTimestamp2:
      if (!DecodeTimestamp2(c.meta, r, &out->ResetText(ValueKind::kDateTime))) return Short("TIMESTAMP");
      return core::Status::Ok();
    case type::kTime2:
      if (!DecodeTime2(c.meta, r, &out->ResetText(ValueKind::kTime))) return Short("TIME");
      return core::Status::Ok();
    case type::kDateTime:
      if (!DecodeOldDateTime(r, &out->ResetText(ValueKind::kDateTime))) return Short("DATETIME (old format)");
      return core::Status::Ok();
    case type::kTimestamp:
      if (!DecodeOldTimestamp(r, &out->ResetText(ValueKind::kDateTime))) return Short("TIMESTAMP (old format)");
      return core::Status::Ok();
    case type::kTime:
      if (!DecodeOldTime(r, &out->ResetText(ValueKind::kTime))) return Short("TIME (old format)");
      return core::Status::Ok();
    case type::kVarchar:
      if (!ReadPrefixed(r, c.meta > 255 ? 2 : 1, &bytes)) return Short("VARCHAR");
      if (c.binary) Bytes(bytes, out);
      else Text(c, bytes, out);
      return core::Status::Ok();
    case type::kString: {
      StringMeta sm = DecodeStringMeta(c.meta);
      if (!ReadPrefixed(r, sm.length > 255 ? 2 : 1, &bytes)) return Short("CHAR");
      if (!c.binary) {
        Text(c, bytes, out);
      } else {
        std::string& padded = out->ResetText(ValueKind::kBytes);  // SELECT returns BINARY(n) NUL-padded to n bytes
        padded.reserve(bytes.size() < sm.length ? sm.length : bytes.size());
        padded.assign(bytes);
        if (padded.size() < sm.length) padded.resize(sm.length, '\0');
      }
      return core::Status::Ok();
    }
    case type::kEnum: case type::kSet:
      return EnumOrSet(c, DecodeStringMeta(c.meta).length, r, out);
    case type::kBlob: case type::kTinyBlob: case type::kMediumBlob: case type::kLongBlob:
      if (c.meta < 1 || c.meta > 4 || !ReadPrefixed(r, c.meta, &bytes)) return Short("BLOB/TEXT");
      if ((c.has_charset && !c.binary) || c.is_json) Text(c, bytes, out);
      else Bytes(bytes, out);
      return core::Status::Ok();
    case type::kGeometry:
      if (c.meta < 1 || c.meta > 4 || !ReadPrefixed(r, c.meta, &bytes) || bytes.size() < 4) return Short("GEOMETRY");
      Bytes(bytes.substr(4), out);  // drop the SRID: WKB as ST_AsBinary gives it
      return core::Status::Ok();
    case type::kJson: {
      if (c.meta < 1 || c.meta > 4 || !ReadPrefixed(r, c.meta, &bytes)) return Short("JSON");
      return MysqlJsonToText(bytes, &out->ResetText(ValueKind::kJson));
    }
    case type::kVector: {
      // MySQL 9 VECTOR(n): n little-endian IEEE float32 values behind a length prefix.
      if (c.meta < 1 || c.meta > 4 || !ReadPrefixed(r, c.meta, &bytes) || bytes.size() % 4 != 0) return Short("VECTOR");
      change::Array items;
      items.reserve(bytes.size() / 4);
      for (size_t i = 0; i < bytes.size(); i += 4) {
        uint32_t bits = 0;
        for (int b = 3; b >= 0; --b) bits = (bits << 8) | static_cast<uint8_t>(bytes[i + b]);
        float f;
        std::memcpy(&f, &bits, 4);
        items.push_back(Value::Float(f));
      }
      *out = Value::MakeArray(std::move(items));
      return core::Status::Ok();
    }
    default:
      return core::InvalidArgument("column type " + std::to_string(c.type) +
                                   " is not decoded by weft (pre-MySQL-5.0 DECIMAL or an unknown type)");
  }
}

}  // namespace weft::source::mysql
