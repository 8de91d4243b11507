// SchemaFromTableMap / ColumnTypeText: the TableSchema that decoded rows are rendered with, built
// from a TABLE_MAP alone (the binlog is the only schema source that is exact for the rows it
// carries, even mid-ALTER).
#include <algorithm>
#include <memory>

#include "source/mysql/charset/charset.h"
#include "source/mysql/decode/column_types.h"
#include "source/mysql/decode/table_map.h"

namespace weft::source::mysql {
namespace {

std::string QuotedList(const char* keyword, const std::vector<std::string>& values) {
  std::string out = keyword;
  out += '(';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '\'';
    for (char c : values[i]) {
      if (c == '\'') out += "''";
      else out += c;
    }
    out += '\'';
  }
  out += ')';
  return out;
}

std::string WithFsp(const char* name, uint16_t fsp) {
  return fsp == 0 ? std::string(name) : std::string(name) + "(" + std::to_string(fsp) + ")";
}

}  // namespace

std::string ColumnTypeText(const TableMap& map, size_t i) {
  uint8_t t = map.types[i];
  uint16_t meta = map.meta[i];
  uint8_t real = RealType(t, meta);
  bool is_unsigned = i < map.is_unsigned.size() && map.is_unsigned[i];
  uint32_t collation = i < map.charsets.size() ? map.charsets[i] : 0;
  bool binary = collation == kBinaryCollation;
  const CharsetInfo* cs = CharsetOfCollation(collation);
  uint32_t mbmaxlen = cs ? cs->mbmaxlen : 1;
  std::string sign = is_unsigned ? " unsigned" : "";
  // Display widths: the server's defaults (the binlog does not carry a declared width).
  auto integer = [&](const char* name, int signed_width, int unsigned_width) {
    return std::string(name) + "(" + std::to_string(is_unsigned ? unsigned_width : signed_width) + ")" + sign;
  };
  switch (real) {
    case type::kTiny: return integer("tinyint", 4, 3);
    case type::kShort: return integer("smallint", 6, 5);
    case type::kInt24: return integer("mediumint", 9, 8);
    case type::kLong: return integer("int", 11, 10);
    case type::kLongLong: return integer("bigint", 20, 20);
    case type::kYear: return "year(4)";
    case type::kBit: return "bit(" + std::to_string((meta >> 8) * 8 + (meta & 0xff)) + ")";
    case type::kNewDecimal:
      return "decimal(" + std::to_string(meta >> 8) + "," + std::to_string(meta & 0xff) + ")" + sign;
    case type::kFloat: return "float" + sign;
    case type::kDouble: return "double" + sign;
    case type::kDate: case type::kNewDate: return "date";
    case type::kDateTime: return "datetime";
    case type::kDateTime2: return WithFsp("datetime", meta);
    case type::kTimestamp: return "timestamp";
    case type::kTimestamp2: return WithFsp("timestamp", meta);
    case type::kTime: return "time";
    case type::kTime2: return WithFsp("time", meta);
    case type::kVarchar:
      return (binary ? "varbinary(" : "varchar(") + std::to_string(meta / mbmaxlen) + ")";
    case type::kString: {
      StringMeta sm = DecodeStringMeta(meta);
      return (binary ? "binary(" : "char(") + std::to_string(sm.length / mbmaxlen) + ")";
    }
    case type::kEnum:
      return QuotedList("enum", i < map.enum_values.size() ? map.enum_values[i] : std::vector<std::string>{});
    case type::kSet:
      return QuotedList("set", i < map.set_values.size() ? map.set_values[i] : std::vector<std::string>{});
    case type::kBlob: case type::kTinyBlob: case type::kMediumBlob: case type::kLongBlob: {
      static const char* const kBlobs[] = {"blob", "tinyblob", "blob", "mediumblob", "longblob"};
      static const char* const kTexts[] = {"text", "tinytext", "text", "mediumtext", "longtext"};
      size_t size = meta <= 4 ? meta : 0;
      return collation == 0 || binary ? kBlobs[size] : kTexts[size];
    }
    case type::kJson: return "json";
    case type::kVector: return "vector";  // the dimension is in VECTOR_DIMENSIONALITY metadata
    case type::kGeometry: {
      static const char* const kGeometries[] = {"geometry", "point", "linestring", "polygon", "multipoint",
                                                "multilinestring", "multipolygon", "geometrycollection"};
      uint32_t g = i < map.geometry_types.size() ? map.geometry_types[i] : 0;
      return g < 8 ? kGeometries[g] : "geometry";
    }
    default: return "type" + std::to_string(t);
  }
}

change::TableSchemaPtr SchemaFromTableMap(const TableMap& map, const std::vector<std::string>& json_columns) {
  auto schema = std::make_shared<change::TableSchema>();
  schema->db = map.db;
  schema->table = map.table;
  schema->columns.reserve(map.column_count());
  for (size_t i = 0; i < map.column_count(); ++i) {
    change::ColumnSchema col;
    col.name = i < map.names.size() ? map.names[i] : "@" + std::to_string(i + 1);
    col.type = ColumnTypeText(map, i);
    col.nullable = map.nullable[i];
    col.is_json = map.types[i] == type::kJson ||
                  std::find(json_columns.begin(), json_columns.end(), col.name) != json_columns.end();
    schema->columns.push_back(std::move(col));
  }
  schema->primary_key = map.primary_key;
  return schema;
}

}  // namespace weft::source::mysql
