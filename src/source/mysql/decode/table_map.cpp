#include "source/mysql/decode/table_map.h"

#include "source/mysql/binlog/byte_reader.h"
#include "source/mysql/charset/charset.h"
#include "source/mysql/decode/column_types.h"

namespace weft::source::mysql {
namespace {

// Optional metadata field types (MySQL's rows_event.h Optional_metadata_field_type; MariaDB uses
// the same numbers for 1-11).
enum OptionalField : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
};

core::Status Bad(const TableMap& map, const std::string& what) {
  std::string table = map.db.empty() && map.table.empty() ? "" : " of " + map.db + "." + map.table;
  return core::Corruption("TABLE_MAP_EVENT" + table + " (table id " + std::to_string(map.table_id) + "): " + what);
}

// Bytes of per-column metadata each type carries in the metadata block.
int MetadataBytes(uint8_t t) {
  switch (t) {
    case type::kFloat: case type::kDouble: case type::kBlob: case type::kTinyBlob: case type::kMediumBlob:
    case type::kLongBlob: case type::kGeometry: case type::kJson: case type::kTimestamp2:
    case type::kDateTime2: case type::kTime2: case type::kVector:
      return 1;
    case type::kVarchar: case type::kVarString: case type::kString: case type::kEnum: case type::kSet:
    case type::kBit: case type::kNewDecimal:
      return 2;
    case type::kDecimal: case type::kTiny: case type::kShort: case type::kLong: case type::kNull:
    case type::kTimestamp: case type::kLongLong: case type::kInt24: case type::kDate: case type::kTime:
    case type::kDateTime: case type::kYear: case type::kNewDate:
      return 0;
    default:
      return -1;  // unknown: the rest of the block cannot be parsed
  }
}

uint16_t ReadMeta(uint8_t t, std::string_view b) {
  auto u = [&](size_t i) { return static_cast<uint16_t>(static_cast<uint8_t>(b[i])); };
  switch (t) {
    case type::kVarchar: return static_cast<uint16_t>(u(0) | u(1) << 8);  // little-endian max length
    case type::kBit: return static_cast<uint16_t>(u(1) << 8 | u(0));      // bytes << 8 | bits
    default: return b.size() == 2 ? static_cast<uint16_t>(u(0) << 8 | u(1)) : b.empty() ? 0 : u(0);
  }
}

// Reads a charset field (DEFAULT_CHARSET form or COLUMN_CHARSET form) over the columns selected
// by `selected` into map->charsets.
bool ReadCharsets(ByteReader* r, bool default_form, const std::vector<size_t>& selected, TableMap* map) {
  if (default_form) {
    uint64_t def = 0;
    if (!r->PackedInt(&def)) return false;
    for (size_t col : selected) map->charsets[col] = static_cast<uint32_t>(def);
    while (!r->empty()) {
      uint64_t index = 0, collation = 0;
      if (!r->PackedInt(&index) || !r->PackedInt(&collation) || index >= selected.size()) return false;
      map->charsets[selected[index]] = static_cast<uint32_t>(collation);
    }
    return true;
  }
  for (size_t col : selected) {
    uint64_t collation = 0;
    if (!r->PackedInt(&collation)) return false;
    map->charsets[col] = static_cast<uint32_t>(collation);
  }
  return r->empty();
}

bool ReadStrValues(ByteReader* r, const std::vector<size_t>& selected,
                   std::vector<std::vector<std::string>>* out) {
  for (size_t col : selected) {
    uint64_t count = 0;
    if (!r->PackedInt(&count) || count > r->remaining()) return false;  // each value takes >= 1 byte
    auto& values = (*out)[col];
    values.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t len = 0;
      std::string_view s;
      if (!r->PackedInt(&len) || !r->Bytes(len, &s)) return false;
      values.emplace_back(s);
    }
  }
  return r->empty();
}

// MSB-first bitmap over the selected columns (SIGNEDNESS, COLUMN_VISIBILITY).
bool ReadMsbBits(ByteReader* r, const std::vector<size_t>& selected, std::vector<bool>* out) {
  std::string_view bits;
  if (!r->Bytes((selected.size() + 7) / 8, &bits)) return false;
  for (size_t i = 0; i < selected.size(); ++i) {
    (*out)[selected[i]] = (static_cast<uint8_t>(bits[i / 8]) >> (7 - i % 8)) & 1;
  }
  return true;
}

core::Status ReadOptionalMetadata(ByteReader* r, ServerFlavor flavor, TableMap* map) {
  size_t n = map->column_count();
  std::vector<size_t> numeric, character, enum_set, enums, sets, geometry, all;
  for (size_t i = 0; i < n; ++i) {
    uint8_t real = RealType(map->types[i], map->meta[i]);
    all.push_back(i);
    if (IsNumericType(real, flavor)) numeric.push_back(i);
    if (IsCharacterType(real, flavor)) character.push_back(i);
    if (IsEnumOrSet(real)) enum_set.push_back(i);
    if (real == type::kEnum) enums.push_back(i);
    if (real == type::kSet) sets.push_back(i);
    if (real == type::kGeometry) geometry.push_back(i);
  }
  while (!r->empty()) {
    uint8_t field_type = 0;
    uint64_t len = 0;
    std::string_view value;
    if (!r->U8(&field_type) || !r->PackedInt(&len) || !r->Bytes(len, &value)) {
      return Bad(*map, "optional metadata field is cut short");
    }
    ByteReader f(value);
    bool ok = true;
    switch (field_type) {
      case kSignedness:
        map->is_unsigned.assign(n, false);
        ok = ReadMsbBits(&f, numeric, &map->is_unsigned);
        break;
      case kDefaultCharset: case kColumnCharset:
        if (map->charsets.empty()) map->charsets.assign(n, 0);
        ok = ReadCharsets(&f, field_type == kDefaultCharset, character, map);
        break;
      case kEnumAndSetDefaultCharset: case kEnumAndSetColumnCharset:
        if (map->charsets.empty()) map->charsets.assign(n, 0);
        ok = ReadCharsets(&f, field_type == kEnumAndSetDefaultCharset, enum_set, map);
        break;
      case kColumnName:
        map->names.clear();
        for (size_t i = 0; i < n && ok; ++i) {
          uint64_t name_len = 0;
          std::string_view name;
          ok = f.PackedInt(&name_len) && f.Bytes(name_len, &name);
          map->names.emplace_back(name);
        }
        ok = ok && f.empty();
        break;
      case kSetStrValue:
        map->set_values.assign(n, {});
        ok = ReadStrValues(&f, sets, &map->set_values);
        break;
      case kEnumStrValue:
        map->enum_values.assign(n, {});
        ok = ReadStrValues(&f, enums, &map->enum_values);
        break;
      case kGeometryType:
        map->geometry_types.assign(n, 0);
        for (size_t col : geometry) {
          uint64_t g = 0;
          ok = ok && f.PackedInt(&g);
          map->geometry_types[col] = static_cast<uint32_t>(g);
        }
        break;
      case kSimplePrimaryKey: case kPrimaryKeyWithPrefix:
        map->primary_key.clear();
        while (ok && !f.empty()) {
          uint64_t col = 0, prefix = 0;
          ok = f.PackedInt(&col) && col < n && (field_type == kSimplePrimaryKey || f.PackedInt(&prefix));
          if (ok) map->primary_key.push_back(static_cast<int>(col));
        }
        break;
      case kColumnVisibility:
        map->visible.assign(n, true);
        ok = ReadMsbBits(&f, all, &map->visible);
        break;
      default:
        break;  // a newer server's field: its length let us skip it
    }
    if (!ok) return Bad(*map, "optional metadata field " + std::to_string(field_type) + " does not parse");
  }
  // ENUM/SET strings are in the column's character set; weft's values are UTF-8.
  auto to_utf8 = [&](std::vector<std::vector<std::string>>& per_column) {
    for (size_t i = 0; i < per_column.size(); ++i) {
      uint32_t cs = map->charsets.empty() ? 0 : map->charsets[i];
      if (cs == 0) continue;
      for (auto& s : per_column[i]) {
        std::string utf8;
        AppendAsUtf8(cs, s, &utf8);
        s = std::move(utf8);
      }
    }
  };
  to_utf8(map->enum_values);
  to_utf8(map->set_values);
  return core::Status::Ok();
}

}  // namespace

core::Result<TableMap> DecodeTableMap(std::string_view body) { return DecodeTableMap(body, ServerFlavor::kMariaDB); }

core::Result<TableMap> DecodeTableMap(std::string_view body, ServerFlavor flavor) {
  TableMap map;
  ByteReader r(body);
  uint64_t v = 0;
  if (!r.LE(6, &map.table_id) || !r.Skip(2)) return Bad(map, "post-header is cut short");
  uint8_t len = 0;
  std::string_view s;
  if (!r.U8(&len) || !r.Bytes(len, &s) || !r.Skip(1)) return Bad(map, "database name is cut short");
  map.db = std::string(s);
  if (!r.U8(&len) || !r.Bytes(len, &s) || !r.Skip(1)) return Bad(map, "table name is cut short");
  map.table = std::string(s);
  if (!r.PackedInt(&v) || v > r.remaining()) return Bad(map, "column count is missing or too large");
  size_t n = static_cast<size_t>(v);
  std::string_view types;
  r.Bytes(n, &types);
  map.types.assign(types.begin(), types.end());
  std::string_view meta_block;
  if (!r.PackedInt(&v) || !r.Bytes(v, &meta_block)) return Bad(map, "metadata block is cut short");
  ByteReader m(meta_block);
  map.meta.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    int bytes = MetadataBytes(map.types[i]);
    if (bytes < 0) return Bad(map, "column " + std::to_string(i + 1) + " has unknown type " + std::to_string(map.types[i]));
    std::string_view b;
    if (!m.Bytes(bytes, &b)) return Bad(map, "metadata block ends at column " + std::to_string(i + 1));
    map.meta.push_back(ReadMeta(map.types[i], b));
  }
  if (!m.empty()) return Bad(map, "metadata block has " + std::to_string(m.remaining()) + " bytes too many");
  std::string_view null_bits;
  if (!r.Bytes((n + 7) / 8, &null_bits)) return Bad(map, "nullable bitmap is cut short");
  map.nullable.resize(n);
  for (size_t i = 0; i < n; ++i) map.nullable[i] = BitmapBit(null_bits, i);
  WEFT_RETURN_IF_ERROR(ReadOptionalMetadata(&r, flavor, &map));
  if (!map.names.empty() && map.names.size() != n) return Bad(map, "column names do not match the column count");
  return map;
}

}  // namespace weft::source::mysql
