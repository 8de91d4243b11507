#include "source/mysql/sql/text_value.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "source/mysql/sql/connection.h"

namespace weft::source::mysql {
namespace {

// "int(10) unsigned zerofill" -> "int"
std::string BaseType(const std::string& column_type) {
  std::string base;
  for (char c : column_type) {
    if (c == '(' || c == ' ') break;
    base.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return base;
}

}  // namespace

TextKind ClassifyColumn(const change::ColumnSchema& column) {
  if (column.is_json) return TextKind::kJson;
  const std::string base = BaseType(column.type);
  const bool is_unsigned = column.type.find("unsigned") != std::string::npos;
  if (base == "tinyint" || base == "smallint" || base == "mediumint" || base == "int" || base == "integer" ||
      base == "bigint") {
    return is_unsigned ? TextKind::kUInt : TextKind::kInt;
  }
  if (base == "decimal" || base == "numeric") return TextKind::kDecimal;
  if (base == "float") return TextKind::kFloat;
  if (base == "double" || base == "real") return TextKind::kDouble;
  if (base == "date") return TextKind::kDate;
  if (base == "datetime" || base == "timestamp") return TextKind::kDateTime;
  if (base == "time") return TextKind::kTime;
  if (base == "year") return column.type.find("(2)") != std::string::npos ? TextKind::kYear2 : TextKind::kYear;
  if (base == "bit") return TextKind::kBit;
  if (base == "binary" || base == "varbinary" || base == "tinyblob" || base == "blob" || base == "mediumblob" ||
      base == "longblob") {
    return TextKind::kBytes;
  }
  if (base == "json") return TextKind::kJson;  // MySQL's native JSON
  if (base == "geometry" || base == "point" || base == "linestring" || base == "polygon" || base == "multipoint" ||
      base == "multilinestring" || base == "multipolygon" || base == "geometrycollection") {
    return TextKind::kGeometry;
  }
  return TextKind::kString;
}

std::string SelectExpression(const change::ColumnSchema& column) {
  const std::string name = QuoteIdentifier(column.name);
  switch (ClassifyColumn(column)) {
    case TextKind::kFloat: return "CAST(" + name + " AS DOUBLE)";
    case TextKind::kGeometry: return "ST_AsBinary(" + name + ")";
    default: return name;
  }
}

change::Value TextToValue(TextKind kind, const char* data, size_t length) {
  using change::Value;
  if (data == nullptr) return Value::Null();
  std::string_view text(data, length);
  switch (kind) {
    case TextKind::kInt:
    case TextKind::kYear: {
      int64_t v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      return Value::Int(v);
    }
    case TextKind::kYear2: {
      int64_t v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.size() <= 2) v += v < 70 ? 2000 : 1900;
      return Value::Int(v);
    }
    case TextKind::kUInt: {
      uint64_t v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      return Value::UInt(v);
    }
    case TextKind::kDecimal: return Value::Decimal(std::string(text));
    case TextKind::kFloat:
      // strtod on the exact widened value, then narrowed: the float the column holds.
      return Value::Float(static_cast<float>(std::strtod(std::string(text).c_str(), nullptr)));
    case TextKind::kDouble: return Value::Double(std::strtod(std::string(text).c_str(), nullptr));
    case TextKind::kDate: return Value::Date(std::string(text));
    case TextKind::kDateTime: return Value::DateTime(std::string(text));
    case TextKind::kTime: return Value::Time(std::string(text));
    case TextKind::kBit: {
      uint64_t v = 0;
      for (unsigned char c : text) v = (v << 8) | c;
      return Value::UInt(v);
    }
    case TextKind::kBytes:
    case TextKind::kGeometry: return Value::Bytes(std::string(text));
    case TextKind::kJson: return Value::Json(std::string(text));
    case TextKind::kString: return Value::String(std::string(text));
  }
  return Value::String(std::string(text));
}

}  // namespace weft::source::mysql
