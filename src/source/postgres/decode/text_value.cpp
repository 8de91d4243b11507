#include "source/postgres/decode/text_value.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace weft::source::postgres {

using change::Value;

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "YYYY-MM-DD" with a four-digit year: BC dates ("0044-03-15 BC"), years past 9999 and infinity
// have no calendar value the sinks can hold, so only this shape becomes a Date.
bool IsPlainDate(std::string_view s) {
  return s.size() == 10 && AllDigits(s.substr(0, 4)) && s[4] == '-' && AllDigits(s.substr(5, 2)) && s[7] == '-' &&
         AllDigits(s.substr(8, 2));
}

bool IsPlainTimeOfDay(std::string_view s) {
  if (s.size() < 8 || !AllDigits(s.substr(0, 2)) || s[2] != ':' || !AllDigits(s.substr(3, 2)) || s[5] != ':' ||
      !AllDigits(s.substr(6, 2))) {
    return false;
  }
  if (s.size() == 8) return true;
  return s[8] == '.' && s.size() <= 15 && AllDigits(s.substr(9));
}

// "YYYY-MM-DD HH:MM:SS[.f]" (timestamp) or the same + "+00" (timestamptz printed in UTC).
Value Timestamp(std::string_view s, bool with_zone) {
  std::string_view text = s;
  if (with_zone) {
    // TimeZone = UTC: the server prints "+00". Anything else (a session that overrode it) stays text.
    if (text.size() < 3 || text.substr(text.size() - 3) != "+00") return Value::String(std::string(s));
    text.remove_suffix(3);
  }
  if (text.size() >= 19 && IsPlainDate(text.substr(0, 10)) && text[10] == ' ' && IsPlainTimeOfDay(text.substr(11))) {
    return Value::DateTime(std::string(text));
  }
  return Value::String(std::string(s));
}

Value Numeric(std::string_view s) {
  // NaN and (since PostgreSQL 14) +/-Infinity are numerics no decimal type can hold.
  if (s == "NaN" || s == "Infinity" || s == "-Infinity") return Value::String(std::string(s));
  return Value::Decimal(std::string(s));
}

// "$1,234.56", "-$1,234.56" (lc_monetary = C): the digits and the point, signed.
Value Money(std::string_view s) {
  std::string digits;
  bool negative = false;
  for (char c : s) {
    if (c == '-' || c == '(')
      negative = true;
    else if ((c >= '0' && c <= '9') || c == '.')
      digits.push_back(c);
  }
  if (digits.empty()) return Value::String(std::string(s));
  return Value::Decimal(negative ? "-" + digits : digits);
}

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Value Bytea(std::string_view s) {
  if (s.size() < 2 || s[0] != '\\' || s[1] != 'x' || s.size() % 2 != 0) return Value::String(std::string(s));
  std::string bytes;
  bytes.reserve((s.size() - 2) / 2);
  for (size_t i = 2; i + 1 < s.size(); i += 2) {
    int hi = HexNibble(s[i]), lo = HexNibble(s[i + 1]);
    if (hi < 0 || lo < 0) return Value::String(std::string(s));
    bytes.push_back(static_cast<char>(hi << 4 | lo));
  }
  return Value::Bytes(std::move(bytes));
}

Value Float(std::string_view s, bool single) {
  std::string text(s);
  errno = 0;
  char* end = nullptr;
  // strtod/strtof read "NaN", "Infinity" and "-Infinity" as the server writes them.
  if (single) {
    float f = std::strtof(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') return Value::String(text);
    return Value::Float(f);
  }
  double d = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return Value::String(text);
  return Value::Double(d);
}

Value Integer(std::string_view s, bool is_unsigned) {
  std::string text(s);
  errno = 0;
  char* end = nullptr;
  if (is_unsigned) {
    unsigned long long u = std::strtoull(text.c_str(), &end, 10);
    if (errno != 0 || end == text.c_str() || *end != '\0') return Value::String(text);
    return Value::UInt(u);
  }
  long long i = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') return Value::String(text);
  return Value::Int(i);
}

// The array literal parser: elements separated by `delim`, nested braces for dimensions, elements
// double-quoted when they hold special characters (backslash escapes inside quotes), NULL unquoted.
class ArrayParser {
 public:
  ArrayParser(const TypeRegistry& types, const TypeInfo& element, char delim, std::string_view text)
      : types_(types), element_(element), delim_(delim), s_(text) {}

  bool Parse(Value* out) {
    // Non-default lower bounds are printed as a dimension prefix: "[0:2]={1,2,3}".
    if (!s_.empty() && s_[0] == '[') {
      size_t eq = s_.find('=');
      if (eq == std::string_view::npos) return false;
      i_ = eq + 1;
    }
    if (!ParseLevel(out)) return false;
    return i_ == s_.size();
  }

 private:
  bool ParseLevel(Value* out) {
    if (i_ >= s_.size() || s_[i_] != '{') return false;
    ++i_;
    change::Array items;
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      *out = Value::MakeArray(std::move(items));
      return true;
    }
    while (i_ < s_.size()) {
      Value item;
      if (s_[i_] == '{') {
        if (!ParseLevel(&item)) return false;
      } else if (!ParseElement(&item)) {
        return false;
      }
      items.push_back(std::move(item));
      if (i_ >= s_.size()) return false;
      if (s_[i_] == delim_) {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        *out = Value::MakeArray(std::move(items));
        return true;
      }
      return false;
    }
    return false;
  }

  bool ParseElement(Value* out) {
    std::string text;
    if (s_[i_] == '"') {
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        text.push_back(s_[i_++]);
      }
      if (i_ >= s_.size()) return false;
      ++i_;  // the closing quote
      *out = TextToValue(types_, element_, text.data(), text.size());
      return true;
    }
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != delim_ && s_[i_] != '}') ++i_;
    std::string_view raw = s_.substr(start, i_ - start);
    if (raw == "NULL") {
      *out = Value::Null();
      return true;
    }
    text.assign(raw);
    *out = TextToValue(types_, element_, text.data(), text.size());
    return true;
  }

  const TypeRegistry& types_;
  const TypeInfo& element_;
  char delim_;
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Value ArrayToValue(const TypeRegistry& types, const TypeInfo& element, char delimiter, std::string_view text) {
  Value out;
  ArrayParser parser(types, element, delimiter, text);
  if (!parser.Parse(&out)) return Value::String(std::string(text));
  return out;
}

Value TextToValue(const TypeRegistry& types, const TypeInfo& type, const char* data, size_t length) {
  if (data == nullptr) return Value::Null();
  std::string_view s(data, length);
  switch (type.cls) {
    case TypeClass::kBool:
      return Value::Bool(s == "t" || s == "true");
    case TypeClass::kInt:
      return Integer(s, false);
    case TypeClass::kUInt:
      return Integer(s, true);
    case TypeClass::kNumeric:
      return Numeric(s);
    case TypeClass::kFloat4:
      return Float(s, true);
    case TypeClass::kFloat8:
      return Float(s, false);
    case TypeClass::kMoney:
      return Money(s);
    case TypeClass::kBytea:
      return Bytea(s);
    case TypeClass::kDate:
      return IsPlainDate(s) ? Value::Date(std::string(s)) : Value::String(std::string(s));
    case TypeClass::kTime:
      return IsPlainTimeOfDay(s) ? Value::Time(std::string(s)) : Value::String(std::string(s));
    case TypeClass::kTimestamp:
      return Timestamp(s, false);
    case TypeClass::kTimestampTz:
      return Timestamp(s, true);
    case TypeClass::kJson:
      return Value::Json(std::string(s));
    case TypeClass::kArray: {
      TypeInfo element = types.Resolve(type.element);
      return ArrayToValue(types, element, type.delimiter, s);
    }
    case TypeClass::kString:
      break;
  }
  return Value::String(std::string(s));
}

}  // namespace weft::source::postgres
