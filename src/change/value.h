#pragma once
// Value: one column value exactly as the source holds it, and also the node type of assembled
// documents (kArray/kObject). Nothing here goes through a double unless the column is FLOAT/DOUBLE.
//
// Rendering (AppendJson) is the one JSON form used by `weft tail`, the JSONL and SQLite sinks and
// `weft verify`:
//   kInt/kUInt        number                      kDecimal   number with the exact digits ("199.99")
//   kFloat/kDouble    shortest round-trip number   kString    JSON string (UTF-8)
//                     (null for NaN/infinity, which JSON cannot write)
//   kBytes            base64 string                kDate      "2024-11-10"
//   kDateTime         "2024-11-02 10:20:00.123456" (TIMESTAMP in UTC; as many fraction digits as the
//                     column declares, like SELECT)
//   kTime             "-838:59:59.000000"          kJson      the JSON text, embedded as JSON
//   kBool             true/false                   kNull      null
// YEAR is a kInt, BIT a kUInt, ENUM/SET a kString, GEOMETRY a kBytes holding WKB (no SRID prefix).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace weft::change {

enum class ValueKind : uint8_t {
  kNull,
  kBool,
  kInt,
  kUInt,
  kFloat,
  kDouble,
  kDecimal,
  kString,
  kBytes,
  kDate,
  kDateTime,
  kTime,
  kJson,
  kArray,
  kObject,
};

const char* ValueKindName(ValueKind kind);

class Value;
using Array = std::vector<Value>;
using Field = std::pair<std::string, Value>;
using Object = std::vector<Field>;  // ordered: fields keep the order they were added in

class Value {
 public:
  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Value(ValueKind::kBool, Storage(b)); }
  static Value Int(int64_t i) { return Value(ValueKind::kInt, Storage(i)); }
  static Value UInt(uint64_t u) { return Value(ValueKind::kUInt, Storage(u)); }
  static Value Float(float f) { return Value(ValueKind::kFloat, Storage(static_cast<double>(f))); }
  static Value Double(double d) { return Value(ValueKind::kDouble, Storage(d)); }
  // Text forms: the caller guarantees the format documented above.
  static Value Decimal(std::string digits) { return Text(ValueKind::kDecimal, std::move(digits)); }
  static Value String(std::string utf8) { return Text(ValueKind::kString, std::move(utf8)); }
  static Value Bytes(std::string bytes) { return Text(ValueKind::kBytes, std::move(bytes)); }
  static Value Date(std::string text) { return Text(ValueKind::kDate, std::move(text)); }
  static Value DateTime(std::string text) { return Text(ValueKind::kDateTime, std::move(text)); }
  static Value Time(std::string text) { return Text(ValueKind::kTime, std::move(text)); }
  static Value Json(std::string json_text) { return Text(ValueKind::kJson, std::move(json_text)); }
  static Value MakeArray(Array items = {}) { return Value(ValueKind::kArray, Storage(std::move(items))); }
  static Value MakeObject(Object fields = {}) { return Value(ValueKind::kObject, Storage(std::move(fields))); }

  // Makes this value one of the text kinds (kDecimal, kString, kBytes, kDate, kDateTime, kTime,
  // kJson) holding an empty string, and returns that string for the caller to write the text into
  // (same format contract as the factories): the binlog decoders fill a row image's values in place
  // this way instead of building each text in a string of its own and moving it in.
  std::string& ResetText(ValueKind kind) {
    kind_ = kind;
    if (auto* s = std::get_if<std::string>(&v_)) {
      s->clear();
      return *s;
    }
    return v_.emplace<std::string>();
  }

  ValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == ValueKind::kNull; }
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  uint64_t as_uint() const { return std::get<uint64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  // kDecimal, kString, kBytes, kDate, kDateTime, kTime, kJson.
  const std::string& text() const { return std::get<std::string>(v_); }
  const Array& array() const { return std::get<Array>(v_); }
  Array& array() { return std::get<Array>(v_); }
  const Object& object() const { return std::get<Object>(v_); }
  Object& object() { return std::get<Object>(v_); }

  // Object helpers (linear: documents have few fields). Find returns nullptr when absent.
  const Value* Find(std::string_view name) const;
  Value* Find(std::string_view name);
  void Set(std::string name, Value value);  // replaces an existing field, keeping its position
  bool Erase(std::string_view name);

  // Structural equality; objects compare field order too (documents are built deterministically).
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  using Storage = std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, Array, Object>;
  Value(ValueKind kind, Storage v) : kind_(kind), v_(std::move(v)) {}
  static Value Text(ValueKind kind, std::string s) { return Value(kind, Storage(std::move(s))); }

  ValueKind kind_ = ValueKind::kNull;
  Storage v_;
};

// Appends the JSON rendering documented above. Object keys keep their order.
void AppendJson(const Value& value, std::string* out);
std::string ToJson(const Value& value);
// Appends `text` as a JSON string literal (quotes and escapes; invalid UTF-8 bytes become U+FFFD).
void AppendJsonString(std::string_view text, std::string* out);

std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace weft::change
