#include "view/key_order.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "sink/document_sink.h"

namespace weft::view {
namespace {

using change::Value;
using change::ValueKind;

bool IsExact(ValueKind k) { return k == ValueKind::kInt || k == ValueKind::kUInt || k == ValueKind::kDecimal; }
bool IsFloating(ValueKind k) { return k == ValueKind::kFloat || k == ValueKind::kDouble; }
bool IsText(ValueKind k) { return k == ValueKind::kString || k == ValueKind::kBytes; }
bool IsTemporal(ValueKind k) { return k == ValueKind::kDate || k == ValueKind::kDateTime || k == ValueKind::kTime; }

// Kind classes in sort order (the encoding's tag bytes follow the same order).
enum Class : int { kNullClass, kBoolClass, kNumberClass, kTextClass, kTemporalClass, kOtherClass };

Class ClassOf(ValueKind k) {
  if (k == ValueKind::kNull) return kNullClass;
  if (k == ValueKind::kBool) return kBoolClass;
  if (IsExact(k) || IsFloating(k)) return kNumberClass;
  if (IsText(k)) return kTextClass;
  if (IsTemporal(k)) return kTemporalClass;
  return kOtherClass;
}

// A number as sign class, exponent and significant digits: value = 0.<digits> x 10^exp, digits
// without leading or trailing zeros. One form for INT, UNSIGNED, DECIMAL and floating values, so
// they order (and encode) on one number line.
struct Number {
  enum Sign : int { kNegInf, kNeg, kZero, kPos, kPosInf, kNaN } sign = kZero;
  int32_t exp = 0;
  std::string digits;
};

Number ParseNumber(std::string_view text) {
  Number n;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::string digits;
  int64_t int_len = 0;
  bool seen_dot = false;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      seen_dot = true;
    } else if (c >= '0' && c <= '9') {
      digits.push_back(c);
      if (!seen_dot) ++int_len;
    } else {
      break;
    }
  }
  int64_t exp10 = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::string_view e = text.substr(i + 1);
    if (!e.empty() && e[0] == '+') e.remove_prefix(1);
    std::from_chars(e.data(), e.data() + e.size(), exp10);
  }
  size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') ++lead;
  digits.erase(0, lead);
  int_len -= static_cast<int64_t>(lead);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) return n;  // zero, whatever its sign
  n.sign = negative ? Number::kNeg : Number::kPos;
  n.exp = static_cast<int32_t>(int_len + exp10);
  n.digits = std::move(digits);
  return n;
}

template <typename T>
std::string Shortest(T value) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, res.ptr);
}

Number ToNumber(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt: return ParseNumber(std::to_string(v.as_int()));
    case ValueKind::kUInt: return ParseNumber(std::to_string(v.as_uint()));
    case ValueKind::kDecimal: return ParseNumber(v.text());
    default: break;
  }
  double d = v.as_double();
  Number n;
  if (std::isnan(d)) {
    n.sign = Number::kNaN;
  } else if (std::isinf(d)) {
    n.sign = d < 0 ? Number::kNegInf : Number::kPosInf;
  } else {
    // The shortest round-trip text (what JSON shows); it orders exactly like the binary values.
    n = ParseNumber(v.kind() == ValueKind::kFloat ? Shortest(static_cast<float>(d)) : Shortest(d));
  }
  return n;
}

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

int CompareNumbers(const Number& a, const Number& b) {
  if (a.sign != b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign != Number::kPos && a.sign != Number::kNeg) return 0;
  int magnitude = a.exp != b.exp ? (a.exp < b.exp ? -1 : 1) : Sign(a.digits.compare(b.digits));
  return a.sign == Number::kNeg ? -magnitude : magnitude;
}

void AppendEscaped(std::string_view bytes, std::string* out) {
  for (char c : bytes) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xFF');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

void AppendNumber(const Number& n, std::string* out) {
  out->push_back(static_cast<char>(0x20 + n.sign));
  if (n.sign != Number::kPos && n.sign != Number::kNeg) return;
  std::string body;
  uint32_t biased = static_cast<uint32_t>(static_cast<int64_t>(n.exp) + 0x80000000LL);
  for (int shift = 24; shift >= 0; shift -= 8) body.push_back(static_cast<char>((biased >> shift) & 0xFF));
  body.append(n.digits);
  body.push_back('\0');  // below every digit: "0.1" sorts before "0.12"
  if (n.sign == Number::kNeg) {
    for (char& c : body) c = static_cast<char>(~static_cast<unsigned char>(c));
  }
  out->append(body);
}

// "-0012.3400" -> "-12.34", so equal numbers of any scale get one text.
std::string CanonicalExact(const Value& v) {
  std::string text = v.kind() == ValueKind::kInt    ? std::to_string(v.as_int())
                     : v.kind() == ValueKind::kUInt ? std::to_string(v.as_uint())
                                                    : v.text();
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  size_t dot = t.find('.');
  std::string_view integer = t.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (integer.empty() && fraction.empty()) negative = false;
  std::string out = negative ? "-" : "";
  out += integer.empty() ? std::string_view("0") : integer;
  if (!fraction.empty()) {
    out.push_back('.');
    out += fraction;
  }
  return out;
}

}  // namespace

std::optional<std::string> JoinKey(const Value& v) {
  ValueKind k = v.kind();
  if (k == ValueKind::kNull) return std::nullopt;
  // One tag byte per class keeps '5' (string) apart from 5 (number).
  if (IsExact(k)) return "n" + CanonicalExact(v);
  if (k == ValueKind::kBool) return std::string(v.as_bool() ? "n1" : "n0");
  if (IsFloating(k)) return "f" + change::ToJson(v);
  if (IsText(k)) return "s" + v.text();
  if (IsTemporal(k)) return "t" + v.text();
  return "j" + change::ToJson(v);
}

int CompareKeyValues(const Value& a, const Value& b) {
  Class ca = ClassOf(a.kind()), cb = ClassOf(b.kind());
  if (ca != cb) return ca < cb ? -1 : 1;
  switch (ca) {
    case kNullClass: return 0;
    case kBoolClass: return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    case kNumberClass: return CompareNumbers(ToNumber(a), ToNumber(b));
    case kTextClass:
    case kTemporalClass: return Sign(a.text().compare(b.text()));  // std::string: unsigned bytes
    case kOtherClass: return Sign(change::ToJson(a).compare(change::ToJson(b)));
  }
  return 0;
}

int CompareKeys(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = CompareKeyValues(a[i], b[i]); c != 0) return c;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

void AppendOrderedKey(const Value& v, std::string* out) {
  switch (ClassOf(v.kind())) {
    case kNullClass: out->push_back('\x05'); return;
    case kBoolClass:
      out->push_back('\x10');
      out->push_back(v.as_bool() ? '\x01' : '\x00');
      return;
    case kNumberClass: AppendNumber(ToNumber(v), out); return;
    case kTextClass:
      out->push_back('\x30');
      AppendEscaped(v.text(), out);
      return;
    case kTemporalClass:
      out->push_back('\x40');
      AppendEscaped(v.text(), out);
      return;
    case kOtherClass:
      out->push_back('\x50');
      AppendEscaped(change::ToJson(v), out);
      return;
  }
}

std::string OrderedKey(const std::vector<Value>& values) {
  std::string out;
  for (const auto& v : values) AppendOrderedKey(v, &out);
  return out;
}

std::string IdKey(const Value& id) { return sink::IdKeyOf(id); }

}  // namespace weft::view
