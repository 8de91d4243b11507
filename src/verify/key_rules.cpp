#include "verify/key_rules.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace weft::verify {
namespace {

using change::Value;
using change::ValueKind;

// Splits "-0012.3400" into sign, integer digits without leading zeros and fraction digits without
// trailing zeros, so that equal numbers get equal parts whatever their scale.
struct DecimalParts {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;
};

DecimalParts SplitDecimal(std::string_view text) {
  DecimalParts p;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    p.negative = text[0] == '-';
    text.remove_prefix(1);
  }
  size_t dot = text.find('.');
  std::string_view integer = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  p.integer = integer;
  p.fraction = fraction;
  if (integer.empty() && fraction.empty()) p.negative = false;  // -0 is 0
  return p;
}

int CompareMagnitude(const DecimalParts& a, const DecimalParts& b) {
  if (a.integer.size() != b.integer.size()) return a.integer.size() < b.integer.size() ? -1 : 1;
  if (int c = a.integer.compare(b.integer); c != 0) return c < 0 ? -1 : 1;
  if (int c = a.fraction.compare(b.fraction); c != 0) return c < 0 ? -1 : 1;  // "5" < "51", "5" > "49"
  return 0;
}

int CompareDecimalText(std::string_view a, std::string_view b) {
  DecimalParts pa = SplitDecimal(a), pb = SplitDecimal(b);
  if (pa.negative != pb.negative) return pa.negative ? -1 : 1;
  int c = CompareMagnitude(pa, pb);
  return pa.negative ? -c : c;
}

bool IsExactNumber(ValueKind k) { return k == ValueKind::kInt || k == ValueKind::kUInt || k == ValueKind::kDecimal; }
bool IsFloating(ValueKind k) { return k == ValueKind::kFloat || k == ValueKind::kDouble; }
bool IsText(ValueKind k) { return k == ValueKind::kString || k == ValueKind::kBytes; }
bool IsTemporal(ValueKind k) { return k == ValueKind::kDate || k == ValueKind::kDateTime || k == ValueKind::kTime; }

// Kind classes in sort order; values of one class compare by the class's rule.
int KindClass(ValueKind k) {
  if (k == ValueKind::kNull) return 0;
  if (k == ValueKind::kBool) return 1;
  if (IsExactNumber(k) || IsFloating(k)) return 2;
  if (IsText(k)) return 3;
  if (IsTemporal(k)) return 4;
  return 5;  // JSON, arrays, objects: by their JSON text
}

std::string ExactNumberText(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt: return std::to_string(v.as_int());
    case ValueKind::kUInt: return std::to_string(v.as_uint());
    default: return v.text();
  }
}

double AsDouble(const Value& v) {
  if (IsFloating(v.kind())) return v.as_double();
  return std::strtod(ExactNumberText(v).c_str(), nullptr);
}

void AppendPart(char tag, std::string_view payload, std::string* out) {
  out->push_back(tag);
  out->append(std::to_string(payload.size()));
  out->push_back(':');
  out->append(payload);
}

}  // namespace

std::optional<std::string> JoinKeyText(const std::vector<const Value*>& values) {
  std::string key;
  for (const Value* v : values) {
    ValueKind k = v->kind();
    if (k == ValueKind::kNull) return std::nullopt;
    if (IsExactNumber(k)) {
      // INT 5, BIGINT UNSIGNED 5 and DECIMAL 5.00 are the same number.
      DecimalParts p = SplitDecimal(ExactNumberText(*v));
      std::string canon = (p.negative ? "-" : "") + std::string(p.integer.empty() ? "0" : p.integer);
      if (!p.fraction.empty()) canon += "." + std::string(p.fraction);
      AppendPart('n', canon, &key);
    } else if (IsFloating(k)) {
      AppendPart('f', change::ToJson(*v), &key);
    } else if (IsText(k)) {
      AppendPart('s', v->text(), &key);  // bytes, no collation: 'a' and 'A' differ
    } else if (IsTemporal(k)) {
      AppendPart('t', v->text(), &key);
    } else if (k == ValueKind::kBool) {
      AppendPart('n', v->as_bool() ? "1" : "0", &key);
    } else {
      AppendPart('j', change::ToJson(*v), &key);
    }
  }
  return key;
}

int CompareKeyValues(const Value& a, const Value& b) {
  int ca = KindClass(a.kind()), cb = KindClass(b.kind());
  if (ca != cb) return ca < cb ? -1 : 1;
  switch (ca) {
    case 0: return 0;
    case 1: return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    case 2: {
      if (IsExactNumber(a.kind()) && IsExactNumber(b.kind())) {
        return CompareDecimalText(ExactNumberText(a), ExactNumberText(b));
      }
      double x = AsDouble(a), y = AsDouble(b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case 3:
    case 4: {
      int c = a.text().compare(b.text());  // std::string compares as unsigned bytes
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default: {
      int c = change::ToJson(a).compare(change::ToJson(b));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
}

}  // namespace weft::verify
